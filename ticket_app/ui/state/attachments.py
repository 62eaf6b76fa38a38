"""Files on their way into a message from the browser (a new ticket, a reply, a note).

The page's upload zone keeps the chosen, dropped or pasted files in the browser; the message's
submit sends them with the form over Reflex's upload endpoint (`/_upload`, under the body
limit of a message's files, `api/limits.py`) to an upload handler, which hands them to the
same service as the API, as `IncomingFile`s: the limits, the sniffing and the thumbnails are
the service's, unchanged. The zone says the limits before anything is sent and refuses, in
the browser, a file over the per-file limit or an eleventh file; what the service refuses
(a message over its limit together, a virus) is said in the zone's own message line, in the
API's words. While the files travel, the zone shows how much has gone.
"""

from typing import Any

import reflex as rx

from ticket_app.config import get_settings
from ticket_app.domain import ATTACHMENTS_PER_MESSAGE
from ticket_app.services import attachment_files
from ticket_app.services.attachment_files import IncomingFile
from ticket_app.services.errors import InvalidInput, ServiceError, TooLarge
from ticket_app.ui.messages import describe
from ticket_app.ui.viewmodels.attachments import size_label

TOO_LARGE = "file-too-large"
TOO_MANY = "too-many-files"


def incoming(files: Any) -> list[IncomingFile] | None:
    """The browser's files as the services take them (the name as the browser gave it; the
    service cleans it); None when `files` did not come from the upload endpoint (any
    websocket client may send the handler's name with whatever arguments)."""
    if not isinstance(files, list) or not all(isinstance(f, rx.UploadFile) for f in files):
        return None
    return [IncomingFile(upload.name or "", upload.file) for upload in files]


def files_message(error: ServiceError) -> str | None:
    """The sentence for a refusal about the files, None for any other refusal."""
    if isinstance(error, TooLarge):
        return str(error)
    if isinstance(error, InvalidInput):
        found = [item.message for item in error.errors if item.field == "file"]
        return f"Nothing was sent: {found[0]}." if found else None
    return None


def _rejected_name(record: Any) -> str:
    file = record.get("file") if isinstance(record, dict) else None
    path = file.get("path") if isinstance(file, dict) else None
    return path if isinstance(path, str) else "A file"


class AttachmentsState(rx.State, mixin=True):
    """The upload zone's state on a page that sends messages with files."""

    files_error: str = ""
    upload_percent: int = 0
    uploading: bool = False

    @rx.var
    def max_file_bytes(self) -> int:
        return get_settings().attachment_max_bytes

    @rx.var
    def max_message_bytes(self) -> int:
        return get_settings().attachment_max_message_bytes

    @rx.var
    def files_limits(self) -> str:
        """What the zone says before anything is chosen."""
        settings = get_settings()
        return (
            f"Up to {ATTACHMENTS_PER_MESSAGE} files, {size_label(settings.attachment_max_bytes)}"
            f" each, {size_label(settings.attachment_max_message_bytes)} together."
        )

    @rx.event
    def upload_progressed(self, progress: dict[str, Any]) -> None:
        """How much of the message's body has gone (the browser's upload progress)."""
        share = progress.get("progress") if isinstance(progress, dict) else None
        if isinstance(share, int | float) and 0 <= share <= 1:
            self.uploading = share < 1
            self.upload_percent = round(share * 100)

    @rx.event
    def files_rejected(self, rejected: list[Any]) -> None:
        """Files the zone refused before upload (over the per-file limit, or too many), said
        in the service's words."""
        if not isinstance(rejected, list):
            return
        too_large = get_settings().attachment_max_bytes + 1
        try:
            for record in rejected:
                errors = record.get("errors") if isinstance(record, dict) else None
                codes = [e.get("code") for e in errors or [] if isinstance(e, dict)]
                if TOO_MANY in codes:
                    attachment_files.check_count(max(len(rejected), ATTACHMENTS_PER_MESSAGE + 1))
                if TOO_LARGE in codes:
                    attachment_files.check_file_size(too_large, _rejected_name(record))
        except ServiceError as error:
            self.files_error = files_message(error) or describe(error)

    def _files_sent(self) -> None:
        self.files_error = ""
        self.uploading = False
        self.upload_percent = 0
