"""What sign-in beyond a password keeps: authenticator secrets, recovery codes, the step
between password and code, identities at the OpenID provider, the desk's sign-in rules, and
a log of what changed a user's sign-in.

Recovery codes and the pending step's secret are random (80 and 256 bits), so a SHA-256 of
each is stored, as for sessions. The authenticator secret must be read back to check codes,
so it is stored as it is (the database is the secret's keeper, as for any TOTP server that
does not hold a separate key); `last_step` is the time step of the last code accepted, so a
code cannot be used twice.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from ticket_app.domain import SecurityEventKind
from ticket_app.models.columns import one_of, timestamp, utc_now
from ticket_app.models.identity import _hash_rule, _owner, _token_hash

TOTP_SECRET_LENGTH = 32  # base32 characters: 160 bits, RFC 4226's recommended size
ISSUER_MAX_LENGTH = 1000
SUBJECT_MAX_LENGTH = 255  # OpenID Connect Core: a subject is at most 255 ASCII characters


class TwoFactor(SQLModel, table=True):
    """A user's authenticator: pending until `confirmed_at` (a first code proved the app has
    the secret), in force after."""

    __tablename__ = "two_factor"
    __table_args__ = (
        sa.CheckConstraint(
            f"length(secret) = {TOTP_SECRET_LENGTH}", name="two_factor_secret_length"
        ),
        sa.CheckConstraint("last_step IS NULL OR last_step >= 0", name="last_step_positive"),
    )

    user_id: int = Field(
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey("users.id", name="fk_two_factor_user", ondelete="CASCADE"),
            primary_key=True,
        )
    )
    secret: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    created_at: datetime = Field(default_factory=utc_now, sa_column=timestamp())
    confirmed_at: datetime | None = Field(default=None, sa_column=timestamp(nullable=True))
    last_step: int | None = Field(default=None, sa_column=sa.Column(sa.BigInteger, nullable=True))


class RecoveryCode(SQLModel, table=True):
    """One of a user's ten one-use recovery codes (its SHA-256)."""

    __tablename__ = "recovery_codes"
    __table_args__ = (
        sa.CheckConstraint("length(code_hash) = 64", name="recovery_code_hash_length"),
        sa.UniqueConstraint("user_id", "code_hash", name="ux_recovery_codes_user_code"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=_owner("recovery_codes"))
    code_hash: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    created_at: datetime = Field(default_factory=utc_now, sa_column=timestamp())
    used_at: datetime | None = Field(default=None, sa_column=timestamp(nullable=True))


class SignInChallenge(SQLModel, table=True):
    """The step between a right password and a right code: its secret is in a short-lived
    cookie, used once."""

    __tablename__ = "sign_in_challenges"
    __table_args__ = (
        _hash_rule("sign_in_challenges"),
        sa.Index("ix_sign_in_challenges_user", "user_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(sa_column=_token_hash())
    user_id: int = Field(sa_column=_owner("sign_in_challenges"))
    created_at: datetime = Field(default_factory=utc_now, sa_column=timestamp())
    expires_at: datetime = Field(sa_column=timestamp(server_default=False))
    used_at: datetime | None = Field(default=None, sa_column=timestamp(nullable=True))


class UserIdentity(SQLModel, table=True):
    """A user's identity at an OpenID provider (issuer and subject), so a later sign-in finds
    them even when their address changes there."""

    __tablename__ = "user_identities"
    __table_args__ = (
        sa.UniqueConstraint("issuer", "subject", name="ux_user_identities_issuer_subject"),
        sa.CheckConstraint(
            f"length(issuer) BETWEEN 1 AND {ISSUER_MAX_LENGTH}", name="issuer_length"
        ),
        sa.CheckConstraint(
            f"length(subject) BETWEEN 1 AND {SUBJECT_MAX_LENGTH}", name="subject_length"
        ),
        sa.Index("ix_user_identities_user", "user_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=_owner("user_identities"))
    issuer: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    subject: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    created_at: datetime = Field(default_factory=utc_now, sa_column=timestamp())


class DeskSettings(SQLModel, table=True):
    """The desk's sign-in rules that admins change in the app: one row (id 1)."""

    __tablename__ = "desk_settings"
    __table_args__ = (sa.CheckConstraint("id = 1", name="desk_settings_one_row"),)

    id: int = Field(default=1, sa_column=sa.Column(sa.Integer, primary_key=True))
    staff_two_factor_required: bool = Field(
        default=False, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.false())
    )
    updated_at: datetime = Field(default_factory=utc_now, sa_column=timestamp())


class SecurityEvent(SQLModel, table=True):
    """Append-only: what changed how `user_id` signs in, and who did it (`actor_id`; null for
    the system, or for desk-wide changes, `user_id` is the admin)."""

    __tablename__ = "security_events"
    __table_args__ = (
        sa.CheckConstraint(one_of("kind", SecurityEventKind), name="security_event_kind_valid"),
        sa.Index("ix_security_events_user_at", "user_id", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=_owner("security_events"))
    actor_id: int | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey("users.id", name="fk_security_events_actor", ondelete="SET NULL"),
            nullable=True,
        ),
    )
    kind: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    at: datetime = Field(default_factory=utc_now, sa_column=timestamp())
