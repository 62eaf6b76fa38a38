"""Attached files: `attachments` (a file on a ticket or one of its comments), and their bytes
stored once per content: `attachment_blobs` keyed by SHA-256 and, for the default database
store, `attachment_chunks` (pieces of at most a megabyte, so no statement carries a whole
file). An S3-compatible store keeps the bytes as objects; the blob row names the object.

Attachments go with their ticket or comment (cascades); a blob is kept while an attachment
(or an attachment's thumbnail) points at it (no cascade: the service collects it).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FILENAME_MAX = 255
NOT_BLANK = {
    "postgresql": "length(btrim(filename, E' \\t\\n\\r\\f\\v')) > 0",
    "sqlite": "length(trim(filename, ' ' || char(9, 10, 11, 12, 13))) > 0",
}


def _blob(column: str, nullable: bool) -> sa.Column:
    return sa.Column(
        column,
        sa.Text,
        sa.ForeignKey("attachment_blobs.sha256", name=f"fk_attachments_{column}"),
        nullable=nullable,
    )


def upgrade() -> None:
    op.create_table(
        "attachment_blobs",
        sa.Column("sha256", sa.Text, primary_key=True),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("store_key", sa.Text, nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.CheckConstraint("length(sha256) = 64", name="sha256_hex"),
        sa.CheckConstraint("size >= 0", name="size_not_negative"),
    )
    op.create_table(
        "attachment_chunks",
        sa.Column(
            "sha256",
            sa.Text,
            sa.ForeignKey(
                "attachment_blobs.sha256", name="fk_attachment_chunks_blob", ondelete="CASCADE"
            ),
            primary_key=True,
        ),
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "ticket_id",
            sa.Integer,
            sa.ForeignKey("tickets.id", name="fk_attachments_ticket", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "comment_id",
            sa.Integer,
            sa.ForeignKey("ticket_comments.id", name="fk_attachments_comment", ondelete="CASCADE"),
            nullable=True,
        ),
        sa.Column(
            "uploader_id",
            sa.Integer,
            sa.ForeignKey("users.id", name="fk_attachments_uploader"),
            nullable=False,
        ),
        sa.Column("filename", sa.Text, nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("content_type", sa.Text, nullable=False),
        _blob("sha256", nullable=False),
        _blob("thumbnail_sha256", nullable=True),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.CheckConstraint(
            f"length(filename) BETWEEN 1 AND {FILENAME_MAX}", name="filename_length"
        ),
        *(
            sa.CheckConstraint(sql, name="filename_not_blank").ddl_if(dialect=dialect)
            for dialect, sql in NOT_BLANK.items()
        ),
        sa.CheckConstraint("size >= 0", name="size_not_negative"),
        sa.CheckConstraint("state IN ('stored', 'pending', 'infected')", name="state_valid"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_attachments_ticket", "attachments", ["ticket_id", "id"])
    op.create_index("ix_attachments_comment", "attachments", ["comment_id"])
    op.create_index("ix_attachments_sha256", "attachments", ["sha256"])
    op.create_index("ix_attachments_thumbnail", "attachments", ["thumbnail_sha256"])


def downgrade() -> None:
    op.drop_table("attachments")
    op.drop_table("attachment_chunks")
    op.drop_table("attachment_blobs")
