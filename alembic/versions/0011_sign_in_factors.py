"""Sign-in beyond a password: two-factor, single sign-on, and sessions people can see.

- `two_factor`: a user's authenticator secret (pending until a first code confirms it) and
  the time step of the last code accepted, so a code cannot be replayed.
- `recovery_codes`: SHA-256 of ten one-use codes per user (80 random bits each).
- `sign_in_challenges`: the step between a right password and a right code (SHA-256 of the
  secret in its short-lived cookie; used once).
- `user_identities`: (issuer, subject) at an OpenID provider, unique, joined to a user.
- `desk_settings`: one row of sign-in rules admins change (two-factor required for staff).
- `security_events`: append-only log of what changed how a user signs in, and who did it.
- `user_sessions` gains how it was signed in (`method`), the browser (`user_agent`) and
  `enrolment_only` (staff who must set up two-factor before anything else). Sessions from
  before this revision were signed in by password.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

METHODS = "'password', 'two_factor', 'sso', 'mail_link'"
EVENT_KINDS = (
    "'two_factor_enabled', 'two_factor_disabled', 'two_factor_reset', 'recovery_code_used', "
    "'recovery_codes_renewed', 'two_factor_requirement_changed', 'session_ended_by_admin', "
    "'token_revoked_by_admin', 'sso_linked', 'sso_created'"
)


def _timestamp(name: str, required: bool = True, default: bool = True) -> sa.Column:
    return sa.Column(
        name,
        sa.DateTime(timezone=True),
        nullable=not required,
        server_default=sa.func.now() if required and default else None,
    )


def _owner(table: str, primary_key: bool = False) -> sa.Column:
    return sa.Column(
        "user_id",
        sa.Integer,
        sa.ForeignKey("users.id", name=f"fk_{table}_user", ondelete="CASCADE"),
        nullable=False,
        primary_key=primary_key,
    )


def upgrade() -> None:
    op.create_table(
        "two_factor",
        _owner("two_factor", primary_key=True),
        sa.Column("secret", sa.Text, nullable=False),
        _timestamp("created_at"),
        _timestamp("confirmed_at", required=False),
        sa.Column("last_step", sa.BigInteger, nullable=True),
        sa.CheckConstraint("length(secret) = 32", name="two_factor_secret_length"),
        sa.CheckConstraint("last_step IS NULL OR last_step >= 0", name="last_step_positive"),
    )
    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Integer, primary_key=True),
        _owner("recovery_codes"),
        sa.Column("code_hash", sa.Text, nullable=False),
        _timestamp("created_at"),
        _timestamp("used_at", required=False),
        sa.CheckConstraint("length(code_hash) = 64", name="recovery_code_hash_length"),
        sa.UniqueConstraint("user_id", "code_hash", name="ux_recovery_codes_user_code"),
    )
    op.create_table(
        "sign_in_challenges",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("token_hash", sa.Text, nullable=False, unique=True),
        _owner("sign_in_challenges"),
        _timestamp("created_at"),
        _timestamp("expires_at", default=False),
        _timestamp("used_at", required=False),
        sa.CheckConstraint("length(token_hash) = 64", name="sign_in_challenges_token_hash_length"),
    )
    op.create_index("ix_sign_in_challenges_user", "sign_in_challenges", ["user_id"])
    op.create_table(
        "user_identities",
        sa.Column("id", sa.Integer, primary_key=True),
        _owner("user_identities"),
        sa.Column("issuer", sa.Text, nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        _timestamp("created_at"),
        sa.UniqueConstraint("issuer", "subject", name="ux_user_identities_issuer_subject"),
        sa.CheckConstraint("length(issuer) BETWEEN 1 AND 1000", name="issuer_length"),
        sa.CheckConstraint("length(subject) BETWEEN 1 AND 255", name="subject_length"),
    )
    op.create_index("ix_user_identities_user", "user_identities", ["user_id"])
    settings = op.create_table(
        "desk_settings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "staff_two_factor_required", sa.Boolean, nullable=False, server_default=sa.false()
        ),
        _timestamp("updated_at"),
        sa.CheckConstraint("id = 1", name="desk_settings_one_row"),
    )
    op.bulk_insert(settings, [{"id": 1, "staff_two_factor_required": False}])
    op.create_table(
        "security_events",
        sa.Column("id", sa.Integer, primary_key=True),
        _owner("security_events"),
        sa.Column(
            "actor_id",
            sa.Integer,
            sa.ForeignKey("users.id", name="fk_security_events_actor", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("kind", sa.Text, nullable=False),
        _timestamp("at"),
        sa.CheckConstraint(f"kind IN ({EVENT_KINDS})", name="security_event_kind_valid"),
    )
    op.create_index("ix_security_events_user_at", "security_events", ["user_id", "at"])
    with op.batch_alter_table("user_sessions") as batch:
        batch.add_column(sa.Column("method", sa.Text, nullable=False, server_default="password"))
        batch.add_column(sa.Column("user_agent", sa.Text, nullable=True))
        batch.add_column(
            sa.Column("enrolment_only", sa.Boolean, nullable=False, server_default=sa.false())
        )
        batch.create_check_constraint("method_valid", f"method IN ({METHODS})")
        batch.create_check_constraint(
            "user_agent_length", "user_agent IS NULL OR length(user_agent) <= 400"
        )


def downgrade() -> None:
    with op.batch_alter_table("user_sessions") as batch:
        batch.drop_constraint("user_agent_length", type_="check")
        batch.drop_constraint("method_valid", type_="check")
        batch.drop_column("enrolment_only")
        batch.drop_column("user_agent")
        batch.drop_column("method")
    for table in (
        "security_events",
        "desk_settings",
        "user_identities",
        "sign_in_challenges",
        "recovery_codes",
        "two_factor",
    ):
        op.drop_table(table)
