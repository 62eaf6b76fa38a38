"""Handlers build browser events only through `ticket_app.ui.browser`, which makes text inert.

Reflex 0.10 loops forever on its `<reflex.Var>` marker inside a string it turns into a var at
event time; `tests/served/test_var_marker.py` shows the served app surviving it. These tests
keep the one door the only door, and check that what goes through it is safe and reads the same.
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from ticket_app.ui import browser

UI = Path(__file__).resolve().parents[1] / "ticket_app" / "ui"
# Reflex's events whose string arguments become literal vars when a handler returns them.
FORBIDDEN = {
    "toast",
    "redirect",
    "call_script",
    "call_function",
    "set_value",
    "set_clipboard",
    "download",
    "window_alert",
    "console_log",
    "scroll_to",
    "LiteralVar",
}
MARKERS = (
    "<reflex.Var>x</reflex.Var>",
    "<reflex.Var>1</reflex.Var>",
    "<reflex.Var></reflex.Var>",
    "<reflex.Var><reflex.Var>x</reflex.Var></reflex.Var>",
    "<reflex.Var>-1",
    "a <reflex.Var>",
)


def uses(path: Path) -> list[str]:
    """`rx.toast`, `Var.create`, `from reflex import redirect`, ... written in `path`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Attribute) and (
            node.attr in FORBIDDEN
            or (node.attr == "create" and getattr(node.value, "attr", "") == "Var")
        ):
            found.append(f"{path.name}:{node.lineno} .{node.attr}")
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("reflex"):
            found += [
                f"{path.name}:{node.lineno} {a.name}" for a in node.names if a.name in FORBIDDEN
            ]
    return found


def test_no_module_that_runs_at_event_time_builds_browser_events_itself():
    """Pages and components are compiled once at build time, from state vars; everything
    else under ui/ (states, the gate, the live machinery) runs while users act."""
    compiled = (UI / "pages", UI / "components")
    modules = [
        path
        for path in UI.rglob("*.py")
        if path != UI / "browser.py" and not any(c in path.parents for c in compiled)
    ]
    assert len(modules) > 15
    offending = [use for path in modules for use in uses(path)]
    assert offending == []


def test_the_check_sees_each_way_of_writing_it(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import reflex as rx\nfrom reflex import redirect\n"
        "rx.toast.success('x')\nrx.Var.create('x')\nrx.call_script('x')\n"
    )
    assert len(uses(sample)) == 4


def test_inert_text_reads_the_same():
    for marker in MARKERS:
        made = browser.inert(marker)
        assert "<reflex.Var>" not in made
        assert made.replace("\u2060", "") == marker
    assert browser.inert("Printer on floor 3 <b>") == "Printer on floor 3 <b>"


def test_events_built_from_the_marker_are_formatted_at_once():
    """In a child process: unguarded, the first marker never returns (and grows memory)."""
    script = (
        "import sys\nfrom reflex_base.event import Event\nfrom ticket_app.ui import browser\n"
        "for text in sys.argv[1:]:\n"
        "    Event.from_event_type([browser.success(text, description=text), browser.error(text),"
        " browser.warning(text), browser.go('/tickets/' + text), browser.show_address(text)])\n"
        "print('formatted')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, *MARKERS],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=UI.parents[1],
        check=False,
    )
    assert done.stdout.strip() == "formatted", done.stderr[-2000:]


@pytest.mark.parametrize("marker", MARKERS[:2])
def test_unguarded_reflex_still_fails_on_the_marker(marker):
    """The reason for all of the above; when this fails, Reflex has fixed its parser and the
    note in docs/design-notes.md can go."""
    script = (
        "import sys, reflex as rx\nfrom reflex_base.event import Event\n"
        "Event.from_event_type([rx.toast.success(sys.argv[1])])\nprint('formatted')\n"
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", script, marker],
            capture_output=True,
            text=True,
            timeout=15,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return  # the endless loop
    assert done.stdout.strip() != "formatted"  # or it raised (a number that is no var)
