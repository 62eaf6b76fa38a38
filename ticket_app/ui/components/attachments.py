"""Attachments on the page: the upload zone of a message (choose, drop or paste files, the
limits said first, a progress bar while they travel) and a message's files (thumbnails that
open large, other files as a name, a type and a size to download).

Pasting uses Reflex's own paste hook (`usePasteHandler`, the hook behind `rx.clipboard`) on
the message's text box: an image pasted there joins the zone's chosen files in the browser,
so it goes with the message like a chosen one, under the same limits. Text pastes as usual.
"""

from typing import Any

import reflex as rx
from reflex_base.components.tags.tag import CommonTag
from reflex_base.utils.imports import ImportVar
from reflex_base.vars.base import Var
from reflex_base.vars.sequence import LiteralStringVar
from reflex_components_core.base.fragment import Fragment
from reflex_components_core.core.upload import get_upload_files_context_var_data

from ticket_app.domain import ATTACHMENTS_PER_MESSAGE
from ticket_app.ui.components.fields import field_error
from ticket_app.ui.viewmodels.attachments import FileView

THUMBNAIL_SIZE = "96px"


def _files_by_id(upload_id: str, expression: str) -> Var:
    """A browser-side value of the files chosen in `upload_id` (`files` in `expression`)."""
    chosen = f"(filesById[{LiteralStringVar.create(upload_id)!s}] ?? [])"
    return Var(
        _js_expr=expression.replace("files", chosen),
        _var_data=get_upload_files_context_var_data(),
    )


def chosen_files(upload_id: str) -> Var[list[dict[str, Any]]]:
    """Each chosen file's name and size (in KiB, rounded up), as the browser has them."""
    listed = "files.map((f) => ({name: f.name, kib: Math.ceil(f.size / 1024)}))"
    return _files_by_id(upload_id, listed).to(list[dict[str, Any]])


def chosen_bytes(upload_id: str) -> Var[int]:
    return _files_by_id(upload_id, "files.reduce((sum, f) => sum + f.size, 0)").to(int)


class PastedFiles(Fragment):
    """Adds the images pasted into the element `target` to the files chosen in `upload_id`."""

    target: Var[str]
    upload_id: Var[str]

    def _render(self) -> CommonTag:
        return super()._render().remove_props("target", "uploadId").add_props(key=self.target)

    def add_imports(self) -> dict[str, ImportVar]:
        return {"$/utils/helpers/paste.js": ImportVar(tag="usePasteHandler", is_default=True)}

    def add_hooks(self) -> list[str | Var[str]]:
        upload_id = str(self.upload_id)
        add = f"""(pasted) => {{
  const files = pasted
    .filter(([type, data]) => type.startsWith("image/") && data.startsWith("data:"))
    .map(([type, data], index) => new File(
      [Uint8Array.from(atob(data.split(",")[1]), (c) => c.charCodeAt(0))],
      `pasted-${{Date.now()}}-${{index + 1}}.${{type.split("/")[1]}}`,
      {{type}},
    ));
  if (files.length) setFilesById((byId) => ({{
    ...byId, [{upload_id}]: [...(byId[{upload_id}] ?? []), ...files],
  }}));
}}"""
        hook = f"usePasteHandler([{self.target!s}], {{}}, {add});"
        return [Var(_js_expr=hook, _var_data=get_upload_files_context_var_data())]


def _labelled(upload: rx.Component, label: str) -> rx.Component:
    """Reflex's dropzone makes its file input itself and passes it no props: name it, so
    screen readers (and axe's "form elements must have labels") know what it is for."""
    zone = upload.children[0]
    zone.children[0].custom_attrs["aria-label"] = label
    return upload


def upload_zone(state: Any, upload_id: str, paste_target: str) -> rx.Component:
    """Choose or drop files (paste them into `paste_target`): what the zone holds is sent
    with the message's form (`rx.upload_files(upload_id=...)` in its submit)."""
    chosen = chosen_files(upload_id)
    total = chosen_bytes(upload_id)
    error_id = f"{upload_id}-error"
    return rx.flex(
        PastedFiles.create(target=paste_target, upload_id=upload_id),
        _labelled(
            rx.upload.root(
                rx.flex(
                    rx.icon("paperclip", size=16, aria_hidden="true"),
                    rx.text(
                        rx.text("Attach files", weight="medium", as_="span"),
                        " — choose, drop here, or paste a screenshot into the text",
                        size="2",
                    ),
                    align="center",
                    spacing="2",
                ),
                id=upload_id,
                multiple=True,
                max_files=ATTACHMENTS_PER_MESSAGE,
                max_size=state.max_file_bytes,
                on_drop_rejected=state.files_rejected,
                border="1px dashed var(--gray-a7)",
                border_radius="var(--radius-3)",
                padding="var(--space-2) var(--space-3)",
                cursor="pointer",
                drag_active_style={"background_color": "var(--accent-3)"},
                aria_describedby=error_id,
            ),
            "Attach files",
        ),
        rx.text(state.files_limits, size="1", color_scheme="gray"),
        rx.cond(
            chosen.length() > 0,
            rx.flex(
                rx.foreach(
                    chosen,
                    lambda item: rx.badge(
                        rx.icon("file", size=12, aria_hidden="true"),
                        item["name"].to(str),
                        " · ",
                        item["kib"].to(int),
                        " KiB",
                        variant="soft",
                        color_scheme="gray",
                    ),
                ),
                rx.button(
                    "Remove files",
                    type="button",
                    variant="ghost",
                    size="1",
                    on_click=rx.clear_selected_files(upload_id),
                ),
                wrap="wrap",
                spacing="2",
                align="center",
                aria_label="Files to send",
            ),
        ),
        rx.cond(
            total > state.max_message_bytes,
            rx.text(
                "These files are larger together than a message may carry; remove some.",
                size="1",
                color_scheme="red",
                role="alert",
            ),
        ),
        rx.cond(
            state.uploading,
            rx.progress(value=state.upload_percent, max=100, aria_label="Uploading files"),
        ),
        field_error(state.files_error, error_id),
        direction="column",
        spacing="1",
    )


def too_much(state: Any, upload_id: str) -> Var[bool]:
    """Whether the chosen files cannot go (the send button waits)."""
    return chosen_bytes(upload_id) > state.max_message_bytes


def _image(file: FileView) -> rx.Component:
    return rx.dialog.root(
        rx.dialog.trigger(
            rx.button(
                rx.image(
                    src=file.thumbnail,
                    alt=file.name,
                    max_width=THUMBNAIL_SIZE,
                    max_height=THUMBNAIL_SIZE,
                    object_fit="contain",
                ),
                variant="ghost",
                height="auto",
                padding="var(--space-1)",
                title=file.name,
                aria_label=file.name,
            ),
        ),
        rx.dialog.content(
            rx.dialog.title(file.name, size="3"),
            rx.image(src=file.href, alt=file.name, max_width="100%"),
            rx.flex(
                rx.link(
                    "Open in a new tab",
                    href=file.href,
                    is_external=True,
                    custom_attrs={"reloadDocument": True},
                ),
                rx.dialog.close(rx.button("Close", variant="soft")),
                justify="between",
                align="center",
                margin_top="var(--space-3)",
            ),
            max_width="min(90vw, 1200px)",
        ),
    )


def _download(file: FileView) -> rx.Component:
    return rx.flex(
        rx.icon("file-down", size=16, aria_hidden="true"),
        rx.cond(
            file.pending,
            rx.text(file.name, " (waiting for its virus scan)", size="2"),
            rx.el.a(
                file.name,
                # Not a page of the app: the browser itself fetches the file.
                href=file.href,
                download=True,
                custom_attrs={"reloadDocument": True},
                color="var(--accent-11)",
                font_size="var(--font-size-2)",
            ),
        ),
        rx.text(file.kind, " · ", file.size, size="1", color_scheme="gray"),
        align="center",
        spacing="2",
        wrap="wrap",
    )


def file_list(files: rx.Var[list[FileView]]) -> rx.Component:
    """A message's files: images as thumbnails that open large, others to download."""
    return rx.cond(
        files,
        rx.flex(
            rx.foreach(files, lambda file: rx.cond(file.thumbnail, _image(file), _download(file))),
            direction="column",
            spacing="2",
            role="list",
            aria_label="Attached files",
        ),
    )
