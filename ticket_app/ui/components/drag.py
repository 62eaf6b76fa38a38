"""Native HTML drag and drop, as two small elements: a card that can be dragged and a place it
can be dropped on.

No JavaScript library: the browser's own drag events go to the server like any other event
(the dragged card's id when a drag starts, the target when it ends on a drop zone), and a drop
zone's `dragover` only prevents the default, which stays in the browser. Every drag has a
keyboard- and touch-friendly twin on the page (the card's "Move to" select).
"""

import reflex as rx
from reflex.components.el.elements.typography import Div
from reflex.event import no_args_event_spec


class DragCard(Div):
    """A block the mouse can drag (`draggable`), telling the server when the drag starts."""

    on_drag_start: rx.EventHandler[no_args_event_spec]
    on_drag_end: rx.EventHandler[no_args_event_spec]


class DropZone(Div):
    """A block a dragged card can be dropped on."""

    on_drag_over: rx.EventHandler[no_args_event_spec]
    on_drop: rx.EventHandler[no_args_event_spec]


drag_card = DragCard.create
drop_zone = DropZone.create
