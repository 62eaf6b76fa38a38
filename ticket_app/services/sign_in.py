"""What follows a right password: a session, a code first, or enrolment first.

- A user with two-factor on gets no session yet: a *challenge* (a random secret for a
  short-lived cookie, its SHA-256 stored) stands for "the password was right", and
  `with_code` turns it into a session when a code of theirs is right too. A challenge is
  used once, within CHALLENGE_MINUTES, and only by its own user's code; the check of the
  code and the use of the challenge are one transaction, so two posts of one challenge
  cannot both sign in. Codes are counted per user (`throttle.reserve_code_check`).
- Staff without two-factor at a desk that requires it get an enrolment-only session.
- Anyone else gets a session at once.

Single sign-on goes straight to a session: the desk trusts the company's provider to have
asked for whatever second factor the company requires (see `oidc`).
"""

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from ticket_app.domain import SignInMethod
from ticket_app.models import SignInChallenge, User, utc_now
from ticket_app.services import sessions, throttle, two_factor
from ticket_app.services.access import Actor
from ticket_app.services.credentials import digest, new_secret
from ticket_app.services.errors import NotSignedIn
from ticket_app.services.transaction import transaction

CHALLENGES = SignInChallenge.__table__
USERS = User.__table__
PREFIX = "sdc_"
SECRET_LENGTH = len(PREFIX) + 43
CHALLENGE_MINUTES = 5
EXPIRED = "The sign-in took too long or was already used; enter your password again."
WRONG_CODE = "Wrong code."


@dataclass(frozen=True)
class Step:
    """The outcome of a right password: `session` (a session's secret, which may serve
    enrolment only: `enrolment_only`) or `challenge` (the secret of the code step)."""

    session: str | None = None
    challenge: str | None = None
    enrolment_only: bool = False


def after_password(
    actor: Actor, *, agent: str | None, method: SignInMethod = SignInMethod.PASSWORD
) -> Step:
    """The next step for `actor`, whose password (or mail link: `method`) was right, signing
    in from browser `agent`: a second factor they turned on is asked for either way."""
    with transaction() as connection:
        enabled = two_factor.is_enabled(connection, actor.id)
        required = not enabled and two_factor.required_for(connection, actor)
    if enabled:
        return Step(challenge=_challenge(actor.id))
    secret = sessions.start(actor, method=method, agent=agent, enrolment_only=required)
    return Step(session=secret, enrolment_only=required)


def _challenge(user_id: int) -> str:
    secret = new_secret(PREFIX)
    now = utc_now()
    with transaction(write=True) as connection:
        connection.execute(  # the user's expired or used steps go; their index finds them
            sa.delete(CHALLENGES).where(
                CHALLENGES.c.user_id == user_id,
                sa.or_(CHALLENGES.c.expires_at < now, CHALLENGES.c.used_at.is_not(None)),
            )
        )
        connection.execute(
            sa.insert(CHALLENGES).values(
                token_hash=digest(secret),
                user_id=user_id,
                created_at=now,
                expires_at=now + timedelta(minutes=CHALLENGE_MINUTES),
            )
        )
    return secret


def _pending(key: str) -> sa.ColumnElement[bool]:
    return sa.and_(
        CHALLENGES.c.token_hash == key,
        CHALLENGES.c.used_at.is_(None),
        CHALLENGES.c.expires_at > utc_now(),
    )


def with_code(*, challenge: str | None, code: str, agent: str | None) -> str:
    """A session's secret for the user of `challenge` when `code` is a current code of
    theirs (or an unused recovery code); NotSignedIn for an unknown, used or expired
    challenge (EXPIRED) or a wrong code (WRONG_CODE, the challenge stays usable until it
    expires); Throttled after too many wrong codes for the user."""
    if not isinstance(challenge, str) or len(challenge) != SECRET_LENGTH:
        raise NotSignedIn(EXPIRED)
    key = digest(challenge)
    found = sa.select(CHALLENGES.c.user_id).join(USERS, USERS.c.id == CHALLENGES.c.user_id)
    with transaction() as connection:
        user_id = connection.execute(
            found.where(_pending(key), USERS.c.active.is_(True))
        ).scalar_one_or_none()
    if user_id is None:
        raise NotSignedIn(EXPIRED)
    reservation = throttle.reserve_code_check(user_id)
    with transaction(write=True) as connection:
        used = connection.execute(
            sa.update(CHALLENGES)
            .where(_pending(key))
            .values(used_at=utc_now())
            .returning(CHALLENGES.c.user_id)
        ).first()
        if used is None:
            raise NotSignedIn(EXPIRED)
        if not two_factor.use_code(connection, user_id=user_id, code=code):
            raise NotSignedIn(WRONG_CODE)  # rolls back: the challenge is not used up
        row = connection.execute(sa.select(USERS).where(USERS.c.id == user_id)).one()
    throttle.check_passed(reservation)
    return sessions.start(Actor.of(row), method=SignInMethod.TWO_FACTOR, agent=agent)
