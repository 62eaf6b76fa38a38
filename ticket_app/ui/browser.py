"""What a page handler may tell the browser to do: the one place events are built at event time.

Reflex turns every string argument of an event it builds on the server (a toast's message, a
redirect's path, a script) into a literal var, and Reflex 0.10's parser of literal strings loops
forever, on the event loop, on its own `<reflex.Var>` marker (docs/design-notes.md has the
upstream report). A ticket title, a user's name or a view name may hold that marker. So no
handler builds those events itself: it calls these functions, which make every string inert
first, and `tests/test_browser_events.py` fails on any `rx.toast`, `rx.redirect`,
`rx.call_script`, `rx.set_value` or `Var.create` written anywhere else under `ticket_app/ui/`.
"""

import json

import reflex as rx
from reflex_base.constants.base import REFLEX_VAR_OPENING_TAG

# A word joiner after the "<": invisible, and no longer the marker Reflex's parser looks for.
_INERT_TAG = "<\u2060" + REFLEX_VAR_OPENING_TAG[1:]

Event = rx.event.EventSpec


def inert(text: str) -> str:
    """`text` as it reads, without the marker that makes Reflex parse a string as vars."""
    return text.replace(REFLEX_VAR_OPENING_TAG, _INERT_TAG)


def success(message: str, *, description: str = "") -> Event:
    """A green toast; `message` and `description` may carry what users wrote."""
    if description:
        return rx.toast.success(inert(message), description=inert(description))
    return rx.toast.success(inert(message))


def error(message: str) -> Event:
    """A red toast: what went wrong, in a sentence (service errors through `describe`)."""
    return rx.toast.error(inert(message))


def warning(message: str) -> Event:
    """An amber toast: something to look at before going on."""
    return rx.toast.warning(inert(message))


def go(path: str, *, replace: bool = False) -> Event:
    """Load another page of the desk (`replace`: without a new history entry)."""
    return rx.redirect(inert(path), replace=replace)


def show_address(url: str) -> Event:
    """Put `url` in the address bar without loading it (the filters of a list page)."""
    literal = json.dumps(inert(url))
    return rx.call_script(f"window.history.replaceState(window.history.state, '', {literal})")


def fill_field(element_id: str, text: str) -> Event:
    """Put `text` (which may carry what users wrote) into an uncontrolled input, where it
    stays editable (a canned reply or a suggested draft in the reply box)."""
    return rx.set_value(element_id, inert(text))


def clear_field(element_id: str) -> Event:
    """Empty an uncontrolled input (the reply box after sending)."""
    return rx.set_value(element_id, "")


def clear_files(upload_id: str) -> Event:
    """Forget the files chosen in an upload zone (after they went with a message)."""
    return rx.clear_selected_files(upload_id)
