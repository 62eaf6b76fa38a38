"""People: creating and changing users, signing in with a password, and the last-admin rule.

Admins manage users; the management CLI and the first-admin setup act as the system (no
actor). Deactivating a user, changing their role or their password revokes their sessions in
the same transaction and moves the access revision, so every open tab re-checks within one
poll. Emails are stored in lower case; the database keeps them unique.
"""

import re
from typing import Annotated, Any, Self

import sqlalchemy as sa
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from ticket_app.domain import EMAIL_MAX_LENGTH, NAME_MAX_LENGTH, STAFF_ROLES, Role
from ticket_app.models import User, UserSession, utc_now
from ticket_app.services import passwords, revisions, throttle
from ticket_app.services.access import Actor, Permission, require
from ticket_app.services.credentials import forget_all
from ticket_app.services.errors import Forbidden, InvalidInput, NotFound, NotSignedIn
from ticket_app.services.schemas import Timestamp, check_storable, validated
from ticket_app.services.transaction import transaction

USERS = User.__table__
SESSIONS = UserSession.__table__
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
WRONG_CREDENTIALS = "Wrong email or password."


def _email(value: str) -> str:
    value = check_storable(value).strip().lower()
    if len(value) > EMAIL_MAX_LENGTH or not _EMAIL.fullmatch(value):
        raise ValueError("must be an email address like name@example.com")
    return value


def _name(value: str) -> str:
    value = " ".join(check_storable(value).split())
    if not value:
        raise ValueError("must not be blank")
    if len(value) > NAME_MAX_LENGTH:
        raise ValueError(f"must be at most {NAME_MAX_LENGTH} characters")
    return value


def validated_email(value: Any) -> str:
    """`value` as an email is stored (lower case); InvalidInput naming `email` otherwise."""
    try:
        return _email(value if isinstance(value, str) else "")
    except ValueError as error:
        raise InvalidInput.single("email", str(error)) from None


Email = Annotated[str, AfterValidator(_email), Field(max_length=EMAIL_MAX_LENGTH + 100)]
Name = Annotated[str, AfterValidator(_name), Field(min_length=1, max_length=NAME_MAX_LENGTH * 2)]


def _checked_password(password: str, email: str, name: str) -> str:
    if code := passwords.weakness(password, email=email, name=name):
        raise InvalidInput.single("password", passwords.WEAKNESSES[code])
    return password


class UserCreate(BaseModel):
    """A new user; the password must pass `passwords.weakness`."""

    model_config = ConfigDict(extra="forbid")

    email: Email
    name: Name
    role: Role
    password: str = Field(min_length=1, max_length=passwords.MAX_LENGTH)


class UserPatch(BaseModel):
    """An admin's change to a user: any of name, role, active, a new password."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    role: Role | None = None
    active: bool | None = None
    password: str | None = Field(default=None, min_length=1, max_length=passwords.MAX_LENGTH)

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("must not be null; leave the field out to keep its value")
        return value

    @model_validator(mode="after")
    def _not_empty(self) -> Self:
        if not self.model_fields_set:
            raise ValueError("send at least one of: " + ", ".join(type(self).model_fields))
        return self


class UserRead(BaseModel):
    """A user as admins see them (never the password hash)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    name: str
    role: Role
    active: bool
    created_at: Timestamp
    last_seen_at: Timestamp | None


class Person(BaseModel):
    """A user as others see them beside a ticket: enough to name and pick them."""

    id: int
    name: str
    email: str
    active: bool
    role: Role


def _read(row: Any) -> UserRead:
    return UserRead.model_validate(row._mapping)


def _find(connection: Connection, email: str) -> Any:
    return connection.execute(
        sa.select(USERS).where(USERS.c.email == email.strip().lower())
    ).first()


def _revoke_sessions(connection: Connection, user_id: int) -> None:
    connection.execute(
        sa.update(SESSIONS)
        .where(SESSIONS.c.user_id == user_id, SESSIONS.c.revoked_at.is_(None))
        .values(revoked_at=utc_now())
    )
    revisions.bump_access(connection)


def prepare_password(data: UserCreate) -> str:
    """The hash to store for a new user's password, after checking it is not weak (hashing
    is slow on purpose, so it happens before any transaction)."""
    _checked_password(data.password, data.email, data.name)
    return passwords.hash_password(data.password)


def insert_user(connection: Connection, *, data: UserCreate, password_hash: str) -> UserRead:
    """Add the user in the caller's transaction; InvalidInput when the email is taken."""
    taken = InvalidInput.single("email", f"{data.email} already has an account")
    if _find(connection, data.email) is not None:
        raise taken
    insert = sa.insert(USERS).values(
        email=data.email,
        name=data.name,
        role=data.role.value,
        password_hash=password_hash,
        active=True,
        created_at=utc_now(),
    )
    try:
        row = connection.execute(insert.returning(*USERS.c)).one()
    except IntegrityError:  # the same email, added at the same moment by someone else
        raise taken from None
    return _read(row)


def create_user(actor: Actor | None, *, data: UserCreate) -> UserRead:
    """Add a user (admins; `None` is the system: setup and the CLI)."""
    if actor is not None:
        require(actor, Permission.MANAGE_USERS)
    password_hash = prepare_password(data)
    with transaction(write=True) as connection:
        return insert_user(connection, data=data, password_hash=password_hash)


def validate_user_create(data: dict[str, Any]) -> UserCreate:
    return validated(UserCreate, data)


def validate_user_patch(data: dict[str, Any]) -> UserPatch:
    return validated(UserPatch, data)


def list_users(actor: Actor) -> list[UserRead]:
    """Every user, active first, then by name (admins)."""
    require(actor, Permission.MANAGE_USERS)
    query = sa.select(USERS).order_by(
        USERS.c.active.desc(), sa.func.lower(USERS.c.name), USERS.c.id
    )
    with transaction() as connection:
        return [_read(row) for row in connection.execute(query)]


def assignable(actor: Actor) -> list[Person]:
    """Active agents and admins, by name: who a ticket can be assigned to."""
    require(actor, Permission.TRIAGE)
    query = (
        sa.select(USERS.c.id, USERS.c.name, USERS.c.email, USERS.c.active, USERS.c.role)
        .where(USERS.c.active.is_(True), USERS.c.role.in_([role.value for role in STAFF_ROLES]))
        .order_by(sa.func.lower(USERS.c.name), USERS.c.id)
    )
    with transaction() as connection:
        return [Person.model_validate(row._mapping) for row in connection.execute(query)]


def people(ids: set[int]) -> dict[int, Person]:
    """The users with these ids (for naming authors, creators and assignees)."""
    if not ids:
        return {}
    query = sa.select(USERS.c.id, USERS.c.name, USERS.c.email, USERS.c.active, USERS.c.role).where(
        USERS.c.id.in_(sorted(ids))
    )
    with transaction() as connection:
        return {row.id: Person.model_validate(row._mapping) for row in connection.execute(query)}


def get_user(actor: Actor, *, user_id: int) -> UserRead:
    require(actor, Permission.MANAGE_USERS)
    with transaction() as connection:
        row = connection.execute(sa.select(USERS).where(USERS.c.id == user_id)).first()
    if row is None:
        raise NotFound.thing("user", user_id)
    return _read(row)


def _other_active_admins(connection: Connection, user_id: int) -> int:
    query = sa.select(sa.func.count()).where(
        USERS.c.role == Role.ADMIN.value, USERS.c.active.is_(True), USERS.c.id != user_id
    )
    return int(connection.execute(query).scalar_one())


def _lock_active_admins(connection: Connection) -> None:
    """Lock every active admin's row, in id order, before any of them is counted: two changes
    that each count the other admins (two admins demoting each other) then run one after the
    other instead of both seeing an admin left. SQLite's write lock does this already."""
    connection.execute(
        sa.select(USERS.c.id)
        .where(USERS.c.role == Role.ADMIN.value, USERS.c.active.is_(True))
        .order_by(USERS.c.id)
        .with_for_update()
    ).all()


def update_user(actor: Actor | None, *, user_id: int, patch: UserPatch) -> UserRead:
    """Rename, change the role, (de)activate or reset the password of a user (admins; `None`
    is the system).

    The last active admin can be neither demoted nor deactivated: the desk would have nobody
    left to manage it. A new password is hashed before the transaction (hashing is slow on
    purpose and must not hold the write lock); the write then checks that the stored password
    did not change meanwhile.
    """
    if actor is not None:
        require(actor, Permission.MANAGE_USERS)
    changes = patch.model_dump(exclude_unset=True)
    new_password = _hash_outside(user_id, changes)
    with transaction(write=True) as connection:
        if "role" in changes or changes.get("active") is False:
            _lock_active_admins(connection)
        row = connection.execute(
            sa.select(USERS).where(USERS.c.id == user_id).with_for_update()
        ).first()
        if row is None:
            raise NotFound.thing("user", user_id)
        loses_admin = (
            row.role == Role.ADMIN
            and row.active
            and (changes.get("role", Role.ADMIN) != Role.ADMIN or changes.get("active") is False)
        )
        if loses_admin and _other_active_admins(connection, user_id) == 0:
            field = "active" if changes.get("active") is False else "role"
            raise Forbidden("The last active admin cannot be demoted or deactivated.", field)
        values: dict[str, Any] = {
            key: (value.value if isinstance(value, Role) else value)
            for key, value in changes.items()
            if key != "password"
        }
        if new_password is not None:
            old_hash, values["password_hash"] = new_password
            if row.password_hash != old_hash:
                raise InvalidInput.single("password", CHANGED_MEANWHILE)
            _checked_password(changes["password"], row.email, changes.get("name", row.name))
        updated = connection.execute(
            sa.update(USERS).where(USERS.c.id == user_id).values(**values).returning(*USERS.c)
        ).one()
        if {"role", "active", "password"} & changes.keys():
            _revoke_sessions(connection, user_id)
    forget_all()
    return _read(updated)


CHANGED_MEANWHILE = "was changed by someone else meanwhile; try again"


def _password_row(connection: Connection, user_id: int) -> Any:
    query = sa.select(USERS.c.id, USERS.c.email, USERS.c.name, USERS.c.password_hash)
    return connection.execute(query.where(USERS.c.id == user_id)).first()


def _hash_outside(user_id: int, changes: dict[str, Any]) -> tuple[str, str] | None:
    """For a patch that sets a password: (the stored hash it replaces, the new hash), made
    outside any transaction after checking the password is not weak."""
    if "password" not in changes:
        return None
    with transaction() as connection:
        row = _password_row(connection, user_id)
    if row is None:
        raise NotFound.thing("user", user_id)
    _checked_password(changes["password"], row.email, changes.get("name", row.name))
    return row.password_hash, passwords.hash_password(changes["password"])


def _replace_password(user_id: int, old_hash: str, new_hash: str, field: str) -> None:
    """Store `new_hash` unless the password changed since `old_hash` was read; the user's
    sessions end. A short write: the slow hashing was done before."""
    with transaction(write=True) as connection:
        replaced = connection.execute(
            sa.update(USERS)
            .where(USERS.c.id == user_id, USERS.c.password_hash == old_hash)
            .values(password_hash=new_hash)
        )
        if replaced.rowcount != 1:
            raise InvalidInput.single(field, CHANGED_MEANWHILE)
        _revoke_sessions(connection, user_id)
    forget_all()


def change_own_password(actor: Actor, *, current: str, new: str) -> None:
    """Change the actor's password; every session of theirs ends (they sign in again).

    The current password is checked, and the new one hashed, outside any transaction, and
    checks are throttled per user like sign-in (Throttled after SIGN_IN_MAX_FAILURES wrong
    ones in the window), so a loop of guesses neither blocks other writers nor goes on.
    """
    with transaction() as connection:
        row = _password_row(connection, actor.id)
    if row is None:
        raise NotSignedIn()
    _checked_password(new, row.email, row.name)
    reservation = throttle.reserve_password_check(actor.id)
    if not passwords.verify(current, row.password_hash):
        raise InvalidInput.single("current_password", "is not your current password")
    throttle.check_passed(reservation)
    _replace_password(actor.id, row.password_hash, passwords.hash_password(new), "current_password")


def set_password(*, email: str, password: str) -> None:
    """The CLI's password reset (the system acting); ends the user's sessions."""
    with transaction() as connection:
        row = _find(connection, email)
    if row is None:
        raise NotFound(f"No user has the email {email.strip().lower()}.")
    _checked_password(password, row.email, row.name)
    _replace_password(row.id, row.password_hash, passwords.hash_password(password), "password")


def deactivate(email: str) -> UserRead:
    """The CLI's deactivation (the system acting), with the last-admin rule."""
    with transaction(write=True) as connection:
        row = _find(connection, email)
    if row is None:
        raise NotFound(f"No user has the email {email.strip().lower()}.")
    return update_user(None, user_id=row.id, patch=UserPatch(active=False))


def authenticate(*, email: str, password: str, address: str) -> Actor:
    """The active user with this email and password, or NotSignedIn with one message for a
    wrong email and a wrong password alike (which cost the same time). The attempt is
    counted before the password is checked (see `throttle`): Throttled once this account
    from this address, or this address, has used up its attempts."""
    email = email if isinstance(email, str) else ""
    reservation = throttle.reserve_sign_in(email=email, address=address)
    with transaction() as connection:
        row = _find(connection, email)
    password_hash = row.password_hash if row is not None else None
    matches = isinstance(password, str) and passwords.verify_or_waste_time(password, password_hash)
    if row is None or not matches or not row.active:
        throttle.sign_in_failed(email)
        raise NotSignedIn(WRONG_CREDENTIALS)
    throttle.sign_in_succeeded(email, reservation)
    return Actor.of(row)


def active_admins() -> int:
    """How many active admins exist (the setup address is offered only when none does)."""
    with transaction() as connection:
        return _other_active_admins(connection, 0)
