"""Two-factor sign-in: time-based codes from an authenticator app (RFC 6238, through pyotp),
ten one-use recovery codes, and the desk's rule that staff must have it.

- Enrolment: `begin_enrolment` makes a secret (pending; shown as a QR code drawn by segno,
  and as text), `confirm_enrolment` turns it on once a code from the app matches, and answers
  the ten recovery codes, the only time they are shown.
- A code is accepted in the time step before, at or after now (30 s each, for clocks a little
  apart), and only in a step later than the last one accepted for that user: the same code,
  or an older one, never works twice. The step is moved by one conditional UPDATE, so two
  simultaneous uses of one code cannot both pass.
- Recovery codes carry 80 random bits, so a SHA-256 of each is stored (a slow hash only
  matters for guessable secrets) and a use is one conditional UPDATE of an indexed row.
- Every check of a code is counted before it is made (`throttle.reserve_code_check`).
- Staff at a desk that requires two-factor and have none get an enrolment-only session after
  their password (see `sign_in` and `sessions`); turning the rule on restricts their sessions
  at once. Admins reset someone's two-factor (a lost phone); the user's log records it.
"""

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import pyotp
import segno
import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.engine import Connection

from ticket_app.config import get_settings
from ticket_app.domain import STAFF_ROLES, SecurityEventKind
from ticket_app.models import DeskSettings, RecoveryCode, TwoFactor, User, utc_now
from ticket_app.services import passwords, security_log, sessions, throttle
from ticket_app.services.access import Actor, Permission, require
from ticket_app.services.credentials import forget_all
from ticket_app.services.errors import Forbidden, InvalidInput, NotFound
from ticket_app.services.transaction import transaction

FACTORS = TwoFactor.__table__
CODES = RecoveryCode.__table__
DESK = DeskSettings.__table__
USERS = User.__table__
STEP_SECONDS = 30
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # 32 signs, none mistaken for another
RECOVERY_LENGTH = 16  # 80 bits
_TOTP = re.compile(r"\d{6}")
WRONG_CODE = "is not a current code of your authenticator app, nor an unused recovery code"
REQUIRED = "Two-factor sign-in is required for staff at this desk; an admin can reset it."


class TwoFactorStatus(BaseModel):
    """What the account page shows: on or not, recovery codes left, and whether the desk
    requires it of this user."""

    enabled: bool
    recovery_codes_left: int
    required: bool


@dataclass(frozen=True)
class Enrolment:
    """A pending authenticator: the secret as text, the `otpauth://` address apps read, and
    that address as a QR code (an SVG `data:` URI an image can show)."""

    secret: str
    uri: str
    qr_data_uri: str


class SignInRules(BaseModel):
    """The desk's sign-in rules admins change."""

    staff_two_factor_required: bool


def _issuer() -> str:
    host = urlsplit(get_settings().app_url).hostname or "desk"
    return f"Support desk ({host})"


def _step(now: datetime) -> int:
    return int(now.timestamp()) // STEP_SECONDS


def _matching_step(secret: str, code: str) -> int | None:
    """The time step (now, one before or one after) whose code is `code`, if any."""
    if not _TOTP.fullmatch(code):
        return None
    totp = pyotp.TOTP(secret, interval=STEP_SECONDS)
    current = _step(utc_now())
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _normal(code: Any) -> str:
    """A code as typed, without spaces and dashes, in lower case."""
    return re.sub(r"[\s-]", "", code).lower() if isinstance(code, str) else ""


def _recovery_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _new_recovery_codes(connection: Connection, user_id: int) -> list[str]:
    """Replace the user's recovery codes with ten new ones; the codes, grouped by four."""
    codes = [
        "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
        for _ in range(RECOVERY_CODES)
    ]
    connection.execute(sa.delete(CODES).where(CODES.c.user_id == user_id))
    now = utc_now()
    connection.execute(
        sa.insert(CODES),
        [
            {"user_id": user_id, "code_hash": _recovery_hash(code), "created_at": now}
            for code in codes
        ],
    )
    return ["-".join(code[i : i + 4] for i in range(0, RECOVERY_LENGTH, 4)) for code in codes]


def _confirmed(connection: Connection, user_id: int) -> Any:
    return connection.execute(
        sa.select(FACTORS).where(FACTORS.c.user_id == user_id, FACTORS.c.confirmed_at.is_not(None))
    ).first()


def is_enabled(connection: Connection, user_id: int) -> bool:
    """Whether the user signs in with a code after the password."""
    return _confirmed(connection, user_id) is not None


def required_for(connection: Connection, actor: Actor) -> bool:
    """Whether the desk requires two-factor of this user (staff, when admins said so)."""
    if actor.role not in STAFF_ROLES:
        return False
    return bool(connection.execute(sa.select(DESK.c.staff_two_factor_required)).scalar())


def use_code(connection: Connection, *, user_id: int, code: str, recovery: bool = True) -> bool:
    """Accept `code` for the user in the caller's transaction: a code of their app in a
    later step than the last accepted, or (when `recovery`) one of their unused recovery
    codes, then spent. False when it is neither. Callers count the attempt first."""
    typed = _normal(code)
    row = _confirmed(connection, user_id)
    if row is None:
        return False
    step = _matching_step(row.secret, typed)
    if step is not None:
        moved = connection.execute(
            sa.update(FACTORS)
            .where(
                FACTORS.c.user_id == user_id,
                sa.or_(FACTORS.c.last_step.is_(None), FACTORS.c.last_step < step),
            )
            .values(last_step=step)
        )
        return moved.rowcount == 1
    if not recovery or len(typed) != RECOVERY_LENGTH:
        return False
    spent = connection.execute(
        sa.update(CODES)
        .where(
            CODES.c.user_id == user_id,
            CODES.c.code_hash == _recovery_hash(typed),
            CODES.c.used_at.is_(None),
        )
        .values(used_at=utc_now())
    )
    if spent.rowcount != 1:
        return False
    security_log.record(
        connection, user_id=user_id, kind=SecurityEventKind.RECOVERY_CODE_USED, actor_id=None
    )
    return True


def status(actor: Actor) -> TwoFactorStatus:
    """The actor's two-factor, for the account page."""
    left = sa.select(sa.func.count()).where(CODES.c.user_id == actor.id, CODES.c.used_at.is_(None))
    with transaction() as connection:
        enabled = is_enabled(connection, actor.id)
        return TwoFactorStatus(
            enabled=enabled,
            recovery_codes_left=int(connection.execute(left).scalar_one()) if enabled else 0,
            required=required_for(connection, actor),
        )


def begin_enrolment(actor: Actor) -> Enrolment:
    """A new pending secret for the actor (replacing any pending one); refused while one is
    in force (turn it off first)."""
    secret = pyotp.random_base32()
    with transaction(write=True) as connection:
        if is_enabled(connection, actor.id):
            raise InvalidInput.single("two_factor", "is already on; turn it off first")
        connection.execute(sa.delete(FACTORS).where(FACTORS.c.user_id == actor.id))
        connection.execute(
            sa.insert(FACTORS).values(user_id=actor.id, secret=secret, created_at=utc_now())
        )
    uri = pyotp.TOTP(secret, interval=STEP_SECONDS).provisioning_uri(
        name=actor.email, issuer_name=_issuer()
    )
    return Enrolment(secret=secret, uri=uri, qr_data_uri=segno.make(uri).svg_data_uri(scale=5))


def confirm_enrolment(actor: Actor, *, code: str) -> list[str]:
    """Turn the pending secret on when `code` is its current code; answers the ten recovery
    codes (shown once). The session it was done from does more than enrolment from now on."""
    reservation = throttle.reserve_code_check(actor.id)
    with transaction(write=True) as connection:
        row = connection.execute(
            sa.select(FACTORS)
            .where(FACTORS.c.user_id == actor.id, FACTORS.c.confirmed_at.is_(None))
            .with_for_update()
        ).first()
        if row is None:
            raise InvalidInput.single("code", "has nothing to confirm: start the set-up first")
        step = _matching_step(row.secret, _normal(code))
        if step is None:
            raise InvalidInput.single("code", "is not the code your authenticator app shows now")
        connection.execute(
            sa.update(FACTORS)
            .where(FACTORS.c.user_id == actor.id)
            .values(confirmed_at=utc_now(), last_step=step)
        )
        codes = _new_recovery_codes(connection, actor.id)
        security_log.record(
            connection, user_id=actor.id, kind=SecurityEventKind.TWO_FACTOR_ENABLED, actor_id=None
        )
        sessions.finish_enrolment(connection, actor.session_id)
    throttle.check_passed(reservation)
    forget_all()
    return codes


def renew_recovery_codes(actor: Actor, *, code: str) -> list[str]:
    """Ten new recovery codes in place of the old ones, for a current code of the app (not a
    recovery code: losing them is why one renews)."""
    reservation = throttle.reserve_code_check(actor.id)
    with transaction(write=True) as connection:
        if not use_code(connection, user_id=actor.id, code=code, recovery=False):
            raise InvalidInput.single("code", "is not a current code of your authenticator app")
        codes = _new_recovery_codes(connection, actor.id)
        security_log.record(
            connection,
            user_id=actor.id,
            kind=SecurityEventKind.RECOVERY_CODES_RENEWED,
            actor_id=None,
        )
    throttle.check_passed(reservation)
    return codes


def disable(actor: Actor, *, code: str = "", password: str = "") -> None:
    """Turn the actor's two-factor off, given a current code (or a recovery code) or their
    password; refused to staff while the desk requires it."""
    with transaction() as connection:
        if required_for(connection, actor):
            raise Forbidden(REQUIRED)
        stored = connection.execute(
            sa.select(USERS.c.password_hash).where(USERS.c.id == actor.id)
        ).scalar_one()
    if not code and not password:
        raise InvalidInput.single("code", "give a current code or your password")
    if code:
        reservation = throttle.reserve_code_check(actor.id)
    else:
        reservation = throttle.reserve_password_check(actor.id)
        if not passwords.verify(password, stored):
            raise InvalidInput.single("password", "is not your current password")
    with transaction(write=True) as connection:
        if code and not use_code(connection, user_id=actor.id, code=code):
            raise InvalidInput.single("code", WRONG_CODE)
        _remove(connection, actor.id)
        security_log.record(
            connection, user_id=actor.id, kind=SecurityEventKind.TWO_FACTOR_DISABLED, actor_id=None
        )
    throttle.check_passed(reservation)


def _remove(connection: Connection, user_id: int) -> bool:
    connection.execute(sa.delete(CODES).where(CODES.c.user_id == user_id))
    return connection.execute(sa.delete(FACTORS).where(FACTORS.c.user_id == user_id)).rowcount > 0


def reset(actor: Actor, *, user_id: int) -> None:
    """An admin turns a user's two-factor off (a lost phone): their sessions end, and they set
    it up again at their next sign-in if the desk requires it. Recorded in their log."""
    require(actor, Permission.MANAGE_USERS)
    with transaction(write=True) as connection:
        if connection.execute(sa.select(USERS.c.id).where(USERS.c.id == user_id)).first() is None:
            raise NotFound.thing("user", user_id)
        if _remove(connection, user_id):
            security_log.record(
                connection,
                user_id=user_id,
                kind=SecurityEventKind.TWO_FACTOR_RESET,
                actor_id=actor.id,
            )
            sessions.end_all(connection, user_id)
    forget_all()


def enabled_users(actor: Actor, *, user_ids: list[int]) -> set[int]:
    """Which of these users have two-factor on (admins: the users page)."""
    require(actor, Permission.MANAGE_USERS)
    query = sa.select(FACTORS.c.user_id).where(
        FACTORS.c.user_id.in_(user_ids), FACTORS.c.confirmed_at.is_not(None)
    )
    with transaction() as connection:
        return set(connection.execute(query).scalars())


def sign_in_rules(actor: Actor) -> SignInRules:
    require(actor, Permission.MANAGE_USERS)
    with transaction() as connection:
        required = connection.execute(sa.select(DESK.c.staff_two_factor_required)).scalar()
    return SignInRules(staff_two_factor_required=bool(required))


def set_sign_in_rules(actor: Actor, *, staff_two_factor_required: bool) -> SignInRules:
    """Require two-factor of staff, or stop requiring it (admins). Turning it on needs the
    admin's own two-factor on (else their own session would lock them into enrolment), and
    restricts at once the sessions of staff without it to enrolment."""
    require(actor, Permission.MANAGE_USERS)
    with transaction(write=True) as connection:
        if staff_two_factor_required and not is_enabled(connection, actor.id):
            raise Forbidden(
                "Set up two-factor for yourself before requiring it of staff.",
                field="staff_two_factor_required",
            )
        changed = connection.execute(
            sa.update(DESK)
            .where(DESK.c.staff_two_factor_required != staff_two_factor_required)
            .values(staff_two_factor_required=staff_two_factor_required, updated_at=utc_now())
        )
        if changed.rowcount:
            security_log.record(
                connection,
                user_id=actor.id,
                kind=SecurityEventKind.TWO_FACTOR_REQUIREMENT_CHANGED,
                actor_id=actor.id,
            )
        if changed.rowcount and staff_two_factor_required:
            with_factor = sa.select(FACTORS.c.user_id).where(FACTORS.c.confirmed_at.is_not(None))
            sessions.restrict_staff(
                connection,
                sa.select(USERS.c.id).where(
                    USERS.c.role.in_([role.value for role in STAFF_ROLES]),
                    USERS.c.id.not_in(with_factor),
                ),
            )
    forget_all()
    return SignInRules(staff_two_factor_required=staff_two_factor_required)
