"""The UI load bench's table: one run as the bench prints it, or several side by side.

python -m bench.ui_report bench/results/ui-100-1x2.json bench/results/ui-1000-1x2.json
"""

import json
import sys
from pathlib import Path
from typing import Any

ROWS = (  # label, how to read it from a report, target
    ("tabs open (lists / dashboards / ticket pages)", lambda r: _tabs(r), "-"),
    ("app instances x workers", lambda r: f"{r['run']['instances']} x {r['run']['workers']}", "-"),
    ("connect to first page p50 / p95 (list)", lambda r: _ms(r["connect_ms"]["list"]), "-"),
    ("event round trip p50 / p95 / max", lambda r: _ms(r["round_trip_ms"], True), "p95 <= 150 ms"),
    ("the client's own loop lag p50 / p95 / max", lambda r: _lag(r), "-"),
    ("push to lists p50 / p95 / max", lambda r: _s(r["push_s"]["list"]), "p95 <= 3 s"),
    ("lists that missed a create", lambda r: str(r["push_s"]["list_missed"]), "0"),
    ("push to dashboards p50 / p95", lambda r: _s(r["push_s"]["dashboard"], False), "-"),
    ("app CPU, cores (ms per tab-second)", lambda r: _cpu(r["cpu"]), "-"),
    (
        "app CPU per update a tab received",
        lambda r: f"{r['cpu'].get('app_ms_per_update', '-')} ms",
        "<= 1.5 ms",
    ),
    ("app memory PSS peak, per open tab", lambda r: _memory(r["memory"]), "<= 1 MB per tab"),
    ("Redis commands per event", lambda r: _redis(r["redis"]), "-"),
    ("garbage collections a worker-minute: young / middle / full", lambda r: _collections(r), "-"),
    ("longest collection: middle / full", lambda r: _longest(r), "-"),
    ("lock warnings / lost updates / errors", lambda r: _problems(r), "0 / 0 / 0"),
    ("machine: busy cores, load before", lambda r: _machine(r), "-"),
)


def _tabs(r: dict[str, Any]) -> str:
    t = r["tabs"]
    spread = f"{t['lists']} / {t['dashboards']} / {t['ticket_pages']}"
    return f"{t['open']} ({spread}), {t['acting']} acting"


def _ms(f: dict[str, Any], with_max: bool = False) -> str:
    text = f"{f['p50']:.0f} / {f['p95']:.0f}"
    return f"{text} / {f['max']:.0f} ms" if with_max else f"{text} ms"


def _s(f: dict[str, Any], with_max: bool = True) -> str:
    text = f"{f['p50']:.2f} / {f['p95']:.2f}"
    return f"{text} / {f['max']:.2f} s" if with_max else f"{text} s"


def _cpu(c: dict[str, Any]) -> str:
    return f"{c['app_cores']} ({c['app_ms_per_tab_second']})"


def _memory(m: dict[str, Any]) -> str:
    return f"{m['app_pss_mb_peak']:.0f} MB, {m['per_tab_mb']} MB"


def _redis(r: dict[str, Any]) -> str:
    return f"{r['commands_per_event']} ({r['commands_per_second']:,}/s)"


def _lag(r: dict[str, Any]) -> str:
    return _ms(r["client_loop_lag_ms"], True) if "client_loop_lag_ms" in r else "-"


def _collections(r: dict[str, Any]) -> str:
    if "collector" not in r:  # reports from before the bench logged collections
        return "-"
    return " / ".join(f"{g['per_minute']:g}" for g in r["collector"].values())


def _longest(r: dict[str, Any]) -> str:
    if "collector" not in r:
        return "-"
    c = r["collector"]
    return f"{c['middle']['longest_ms']:.0f} / {c['full']['longest_ms']:.0f} ms"


def _problems(r: dict[str, Any]) -> str:
    errors = r["call_errors"] + r["creates"]["errors"]
    return f"{r['log']['lock_warnings']} / {len(r['lost_updates'])} / {errors}"


def _machine(r: dict[str, Any]) -> str:
    return f"{r['cpu']['machine_busy_cores']}, {r['run']['loadavg_before']}"


def table(*reports: dict[str, Any]) -> str:
    """A Markdown table, one column per run."""
    heads = [f"{r['tabs']['asked']} tabs {r['run']['label']}".strip() for r in reports]
    lines = [
        "| figure | " + " | ".join(heads) + " | target |",
        "|---" * (len(reports) + 2) + "|",
    ]
    for label, read, target in ROWS:
        lines.append(f"| {label} | " + " | ".join(read(r) for r in reports) + f" | {target} |")
    for key in ("reconnect_storm", "cross_instance", "stop_one"):
        for report in reports:
            if key in report:
                lines.append(f"\n{key}: {json.dumps(report[key])}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    print(table(*(json.loads(Path(path).read_text()) for path in argv)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
