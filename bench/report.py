"""Markdown table of bench results side by side, for docs/performance.md and the README.

`python -m bench.report bench/results/postgresql-1000000.json bench/results/sqlite-200000.json`
"""

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.run import MEMORY_LIMIT_MB, TARGETS


def _target(key: str) -> str:
    if key not in TARGETS:
        return "-"
    metric, limit = TARGETS[key]
    return f">= {limit:g} req/s" if metric == "rps" else f"p50 <= {limit:g} ms"


def _cell(case: dict[str, Any] | None) -> str:
    if case is None:
        return "-"
    if case["concurrency"] > 1:
        return f"**{case['rps']:.0f} req/s** (p50 {case['p50_ms']:.1f} ms)"
    return f"**{case['p50_ms']:.1f}** / {case['p95_ms']:.1f} ms"


def markdown(reports: list[dict[str, Any]]) -> str:
    """One row per case, one column per run: p50 / p95 for reads, req/s for create."""
    heads = [f"{r['database'].split(' (')[0]}, {r['tickets']:,} tickets" for r in reports]
    lines = [
        "| case | target | " + " | ".join(heads) + " |",
        "|---|---|" + "---|" * len(reports),
    ]
    keys: list[str] = []
    names: dict[str, str] = {}
    for report in reports:
        for case in report["cases"]:
            keys += [case["key"]] if case["key"] not in keys else []
            names.setdefault(case["key"], case["name"])
    for key in keys:
        cells = [_cell(next((c for c in r["cases"] if c["key"] == key), None)) for r in reports]
        lines.append(f"| {names[key]} | {_target(key)} | " + " | ".join(cells) + " |")
    memory = [
        f"{r['memory']['pss_mb']:.0f} MB ({r['memory']['rss_mb']:.0f} MB RSS)" for r in reports
    ]
    lines.append(f"| app memory peak, PSS | < {MEMORY_LIMIT_MB} MB | " + " | ".join(memory) + " |")
    seeds = [
        f"{r['seed']['seconds']:.0f} s" + (" (reused)" if r["seed"]["reused"] else "")
        for r in reports
    ]
    lines.append("| seeding | - | " + " | ".join(seeds) + " |")
    workers = [f"{r['server']['workers']}" for r in reports]
    lines.append("| app workers | - | " + " | ".join(workers) + " |")
    load = [
        f"{r['machine']['loadavg_before'][0]} / {r['machine']['loadavg_after'][0]}" for r in reports
    ]
    lines.append("| load average before / after | - | " + " | ".join(load) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    paths = list(argv if argv is not None else sys.argv[1:])
    if not paths:
        print(__doc__, file=sys.stderr)
        return 2
    print(markdown([json.loads(Path(path).read_text()) for path in paths]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
