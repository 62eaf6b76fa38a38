"""Attached files: what a message carries (`attachments`), and the bytes, stored once per
content (`attachment_blobs`, keyed by SHA-256; with the database store, their bytes in
`attachment_chunks`).

An attachment belongs to a ticket and, unless it came with the ticket itself, to one comment:
it has that message's visibility, moves with it when tickets are merged and goes with it when
a ticket is deleted (cascades). A blob outlives its attachments only until the service that
removed them collects it. A thumbnail is a blob too, made once at upload.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from ticket_app.domain import ATTACHMENT_FILENAME_MAX_LENGTH, AttachmentState
from ticket_app.models.columns import bounded_text, one_of, timestamp, utc_now

SHA256_CHECK = "length({column}) = 64"


def _blob_reference(column: str, nullable: bool) -> sa.Column[str]:
    return sa.Column(
        column,
        sa.Text,
        sa.ForeignKey("attachment_blobs.sha256", name=f"fk_attachments_{column}"),
        nullable=nullable,
    )


class AttachmentBlob(SQLModel, table=True):
    """One stored content. `store_key` is its object's key in an S3-compatible store (null
    when its bytes are chunks in the database)."""

    __tablename__ = "attachment_blobs"
    __table_args__ = (
        sa.CheckConstraint(SHA256_CHECK.format(column="sha256"), name="sha256_hex"),
        sa.CheckConstraint("size >= 0", name="size_not_negative"),
    )

    sha256: str = Field(sa_column=sa.Column(sa.Text, primary_key=True))
    size: int = Field(sa_column=sa.Column(sa.BigInteger, nullable=False))
    store_key: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    created_at: datetime = Field(default_factory=utc_now, sa_column=timestamp())


class AttachmentChunk(SQLModel, table=True):
    """A piece of a blob's bytes, in order (`seq`), for the database store."""

    __tablename__ = "attachment_chunks"

    sha256: str = Field(
        sa_column=sa.Column(
            sa.Text,
            sa.ForeignKey(
                "attachment_blobs.sha256", name="fk_attachment_chunks_blob", ondelete="CASCADE"
            ),
            primary_key=True,
        )
    )
    seq: int = Field(sa_column=sa.Column(sa.Integer, primary_key=True, autoincrement=False))
    data: bytes = Field(sa_column=sa.Column(sa.LargeBinary, nullable=False))


class Attachment(SQLModel, table=True):
    """A file on a ticket (`comment_id` null: it came with the ticket) or on a comment."""

    __tablename__ = "attachments"
    __table_args__ = (
        *bounded_text("filename", ATTACHMENT_FILENAME_MAX_LENGTH),
        sa.CheckConstraint("size >= 0", name="size_not_negative"),
        sa.CheckConstraint(one_of("state", AttachmentState), name="state_valid"),
        sa.Index("ix_attachments_ticket", "ticket_id", "id"),
        sa.Index("ix_attachments_comment", "comment_id"),
        sa.Index("ix_attachments_sha256", "sha256"),
        sa.Index("ix_attachments_thumbnail", "thumbnail_sha256"),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey("tickets.id", name="fk_attachments_ticket", ondelete="CASCADE"),
            nullable=False,
        )
    )
    comment_id: int | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey("ticket_comments.id", name="fk_attachments_comment", ondelete="CASCADE"),
            nullable=True,
        ),
    )
    uploader_id: int = Field(
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("users.id", name="fk_attachments_uploader"), nullable=False
        )
    )
    filename: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    size: int = Field(sa_column=sa.Column(sa.BigInteger, nullable=False))
    content_type: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    sha256: str = Field(sa_column=_blob_reference("sha256", nullable=False))
    thumbnail_sha256: str | None = Field(
        default=None, sa_column=_blob_reference("thumbnail_sha256", nullable=True)
    )
    state: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    created_at: datetime = Field(default_factory=utc_now, sa_column=timestamp())
