"""Users, their browser sessions and API tokens, the first-admin setup link, and the
desk-wide values every server process shares (a generated secret, the access revision that
live pages watch).

Secrets are never stored: sessions, tokens and setup links keep a SHA-256 of the random
value the client holds, and passwords an Argon2id hash (the CHECK refuses anything else).
"""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from ticket_app.domain import (
    EMAIL_MAX_LENGTH,
    NAME_MAX_LENGTH,
    USER_AGENT_MAX_LENGTH,
    Role,
    SignInMethod,
)
from ticket_app.models.columns import bounded_text, one_of, timestamp, utc_now

TOKEN_HASH_LENGTH = 64  # hex SHA-256


def _token_hash() -> sa.Column[str]:
    return sa.Column(sa.Text, nullable=False, unique=True)


def _owner(table: str) -> sa.Column[int]:
    return sa.Column(
        sa.Integer,
        sa.ForeignKey("users.id", name=f"fk_{table}_user", ondelete="CASCADE"),
        nullable=False,
    )


def _hash_rule(table: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(
        f"length(token_hash) = {TOKEN_HASH_LENGTH}", name=f"{table}_token_hash_length"
    )


class User(SQLModel, table=True):
    """A person who signs in. Email is unique whatever its case (see the index below)."""

    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint(f"length(email) BETWEEN 3 AND {EMAIL_MAX_LENGTH}", name="email_length"),
        sa.CheckConstraint("email LIKE '%_@_%' AND email NOT LIKE '% %'", name="email_shape"),
        *bounded_text("name", NAME_MAX_LENGTH),
        sa.CheckConstraint(one_of("role", Role), name="role_valid"),
        sa.CheckConstraint("password_hash LIKE '$argon2id$%'", name="password_is_argon2id"),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    name: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    role: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    password_hash: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    active: bool = Field(
        default=True, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.true())
    )
    created_at: datetime = Field(default_factory=utc_now, sa_column=timestamp())
    last_seen_at: datetime | None = Field(default=None, sa_column=timestamp(nullable=True))
    # Set when mail to this address bounced for good: no mail goes to it until an admin clears it.
    mail_bounced_at: datetime | None = Field(default=None, sa_column=timestamp(nullable=True))


USERS = User.__table__
sa.Index("ux_users_email", sa.func.lower(USERS.c.email), unique=True)
# The staff, few among many requesters: whom an @mention names, who is told of new tickets.
sa.Index("ix_users_role", USERS.c.role, USERS.c.id)
# The few whose mail bounced, for the admins' mail page.
BOUNCED = USERS.c.mail_bounced_at.is_not(None)
sa.Index("ix_users_mail_bounced", USERS.c.id, postgresql_where=BOUNCED, sqlite_where=BOUNCED)


class UserSession(SQLModel, table=True):
    """A browser session: the cookie holds the token, this row its hash.

    Valid while not revoked, before `expires_at` (absolute) and before `idle_expires_at`,
    which each use pushes forward. `method` says how it was signed in; an `enrolment_only`
    session (staff who must set up two-factor first) serves the enrolment and nothing else.
    """

    __tablename__ = "user_sessions"
    __table_args__ = (
        _hash_rule("user_sessions"),
        sa.Index("ix_user_sessions_user", "user_id"),
        sa.CheckConstraint(one_of("method", SignInMethod), name="method_valid"),
        sa.CheckConstraint(
            f"user_agent IS NULL OR length(user_agent) <= {USER_AGENT_MAX_LENGTH}",
            name="user_agent_length",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(sa_column=_token_hash())
    user_id: int = Field(sa_column=_owner("user_sessions"))
    created_at: datetime = Field(default_factory=utc_now, sa_column=timestamp())
    last_used_at: datetime = Field(default_factory=utc_now, sa_column=timestamp())
    idle_expires_at: datetime = Field(sa_column=timestamp(server_default=False))
    expires_at: datetime = Field(sa_column=timestamp(server_default=False))
    revoked_at: datetime | None = Field(default=None, sa_column=timestamp(nullable=True))
    method: str = Field(
        default=SignInMethod.PASSWORD.value,
        sa_column=sa.Column(sa.Text, nullable=False, server_default=SignInMethod.PASSWORD.value),
    )
    user_agent: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    enrolment_only: bool = Field(
        default=False, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.false())
    )


class ApiToken(SQLModel, table=True):
    """A personal access token for the REST API; `prefix` is the part shown in lists."""

    __tablename__ = "api_tokens"
    __table_args__ = (
        _hash_rule("api_tokens"),
        sa.CheckConstraint("length(prefix) BETWEEN 4 AND 16", name="prefix_length"),
        *bounded_text("name", NAME_MAX_LENGTH),
        sa.Index("ix_api_tokens_user", "user_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(sa_column=_token_hash())
    prefix: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    user_id: int = Field(sa_column=_owner("api_tokens"))
    name: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    created_at: datetime = Field(default_factory=utc_now, sa_column=timestamp())
    last_used_at: datetime | None = Field(default=None, sa_column=timestamp(nullable=True))
    expires_at: datetime | None = Field(default=None, sa_column=timestamp(nullable=True))
    revoked_at: datetime | None = Field(default=None, sa_column=timestamp(nullable=True))


class SetupLink(SQLModel, table=True):
    """The one-time address that creates the first admin.

    The address's token is an HMAC of `nonce` under the desk's secret, so every server
    process can print the same address without the token itself being stored.
    """

    __tablename__ = "setup_links"

    id: int | None = Field(default=None, primary_key=True)
    nonce: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    created_at: datetime = Field(default_factory=utc_now, sa_column=timestamp())
    expires_at: datetime = Field(sa_column=timestamp(server_default=False))
    used_at: datetime | None = Field(default=None, sa_column=timestamp(nullable=True))


class DeskSecret(SQLModel, table=True):
    """Secrets the desk generated for itself when none was configured (the signing key),
    shared by every server process through the database."""

    __tablename__ = "desk_secrets"

    name: str = Field(sa_column=sa.Column(sa.Text, primary_key=True))
    value: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    created_at: datetime = Field(default_factory=utc_now, sa_column=timestamp())


class DeskCounter(SQLModel, table=True):
    """Numbers that only grow, read by every process's live-update poller.

    `access` moves whenever a session, a user's role or activity changes, so open pages
    re-check who is signed in within one poll; `views` whenever a saved view changes.
    """

    __tablename__ = "desk_counters"

    name: str = Field(sa_column=sa.Column(sa.Text, primary_key=True))
    value: int = Field(default=0, sa_column=sa.Column(sa.BigInteger, nullable=False))
