"""Single sign-on through the company's OpenID Connect provider (authorization code + PKCE).

`start` makes the provider's address to send the browser to, with a fresh `state`, `nonce`
and PKCE verifier kept in a signed cookie that lives FLOW_MINUTES (HMAC-SHA256 under the
desk's signing key, so no server keeps per-browser state). `finish` takes the provider's
answer back: the `state` must match the cookie's, the code is exchanged at the provider's
token endpoint (authlib, with the PKCE verifier and the client secret), and the ID token's
signature is checked against the provider's published keys (JWKS, through joserfc), then
its issuer, audience (and `azp` when there are several), expiry and `nonce`.

Who the person is: an identity (issuer, subject) seen before names its user; else the
provider must say the address is verified (`email_verified`), and an account with that
address is linked (not duplicated); else, when the address's domain is one of
OIDC_ALLOWED_DOMAINS, an account is made just in time, with the role OIDC_ROLE_MAP gives the
values of OIDC_ROLE_CLAIM (requester otherwise) and a random password nobody knows. A
deactivated user stays out. Linking and making are recorded in the user's security log.

Single sign-on satisfies the desk's two-factor rule: the company's provider decides how its
people prove who they are (its own second factor), and the desk trusts it for that.
"""

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from authlib.integrations.httpx_client import OAuth2Client
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy.exc import IntegrityError

from ticket_app.config import get_settings, role_map
from ticket_app.domain import Role, SecurityEventKind, SignInMethod
from ticket_app.models import User, UserIdentity, utc_now
from ticket_app.services import passwords, security_log, sessions, users
from ticket_app.services.access import Actor
from ticket_app.services.errors import InvalidInput, NotSignedIn
from ticket_app.services.secrets import signing_key
from ticket_app.services.transaction import transaction

IDENTITIES = UserIdentity.__table__
USERS = User.__table__
COOKIE_NAME = "support_desk_sso"
CALLBACK_PATH = "/auth/oidc/callback"
FLOW_MINUTES = 10
METADATA_SECONDS = 3600
HTTP_TIMEOUT_SECONDS = 5.0
LEEWAY_SECONDS = 60
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]
RANK = {Role.REQUESTER: 0, Role.AGENT: 1, Role.ADMIN: 2}


class SsoRefused(NotSignedIn):
    """The provider's answer did not sign anyone in; `reason` is a code the login page turns
    into a message (never text from the provider)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Provider:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str


_lock = threading.Lock()
_providers: dict[str, tuple[float, Provider]] = {}
_keys: dict[str, KeySet] = {}


def _client() -> OAuth2Client:
    settings = get_settings()
    return OAuth2Client(
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret,
        scope="openid email profile",
        redirect_uri=settings.app_url + CALLBACK_PATH,
        code_challenge_method="S256",
        timeout=HTTP_TIMEOUT_SECONDS,
    )


def _get_json(url: str) -> dict[str, Any]:
    try:
        with _client() as client:
            answer = client.request("GET", url, withhold_token=True)
            answer.raise_for_status()
            body = answer.json()
    except Exception as error:
        raise SsoRefused("provider", "The sign-in provider could not be reached.") from error
    if not isinstance(body, dict):
        raise SsoRefused("provider", "The sign-in provider answered something unexpected.")
    return body


def _provider() -> Provider:
    """The configured issuer's endpoints, from its discovery document (kept an hour)."""
    issuer = get_settings().oidc_issuer
    with _lock:
        kept = _providers.get(issuer)
    if kept is not None and time.monotonic() - kept[0] < METADATA_SECONDS:
        return kept[1]
    document = _get_json(issuer + "/.well-known/openid-configuration")
    try:
        provider = Provider(
            issuer=str(document["issuer"]),
            authorization_endpoint=str(document["authorization_endpoint"]),
            token_endpoint=str(document["token_endpoint"]),
            jwks_uri=str(document["jwks_uri"]),
        )
    except KeyError as error:
        raise SsoRefused("provider", "The provider's configuration is incomplete.") from error
    if provider.issuer.rstrip("/") != issuer:  # OpenID Connect Discovery 1.0, section 4.3
        raise SsoRefused("provider", "The sign-in provider names another issuer.")
    with _lock:
        _providers[issuer] = (time.monotonic(), provider)
    return provider


def _key_set(provider: Provider, *, fresh: bool) -> KeySet:
    with _lock:
        kept = _keys.get(provider.jwks_uri)
    if kept is not None and not fresh:
        return kept
    try:
        keys = KeySet.import_key_set(_get_json(provider.jwks_uri))  # type: ignore[arg-type]
    except (JoseError, ValueError, TypeError) as error:
        raise SsoRefused("provider", "The sign-in provider's keys are unusable.") from error
    with _lock:
        _keys[provider.jwks_uri] = keys
    return keys


def _sign(flow: dict[str, Any]) -> str:
    payload = base64.urlsafe_b64encode(json.dumps(flow).encode()).decode().rstrip("=")
    mac = hmac.new(signing_key(), b"oidc-flow:" + payload.encode(), hashlib.sha256)
    return f"{payload}.{mac.hexdigest()}"


def _unsigned(cookie: str | None) -> dict[str, Any]:
    """The flow a cookie of ours carries, unexpired; SsoRefused otherwise."""
    refused = SsoRefused("state", "The sign-in did not start here or took too long; try again.")
    if not cookie or not cookie.isascii():
        raise refused
    payload, _, mac = cookie.partition(".")
    expected = hmac.new(signing_key(), b"oidc-flow:" + payload.encode(), hashlib.sha256)
    if not hmac.compare_digest(mac, expected.hexdigest()):
        raise refused
    try:
        flow = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except ValueError:
        raise refused from None
    if not isinstance(flow, dict) or not isinstance(flow.get("expires"), int):
        raise refused
    if flow["expires"] < time.time():
        raise refused
    return flow


def start(*, next_path: str) -> tuple[str, str]:
    """(the provider's address to send the browser to, the value of the flow cookie)."""
    provider = _provider()
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)
    with _client() as client:
        address, _ = client.create_authorization_url(
            provider.authorization_endpoint, state=state, nonce=nonce, code_verifier=verifier
        )
    flow = {
        "state": state,
        "nonce": nonce,
        "verifier": verifier,
        "next": next_path,
        "expires": int(time.time()) + FLOW_MINUTES * 60,
    }
    return str(address), _sign(flow)


def _claims(provider: Provider, id_token: str, nonce: str) -> dict[str, Any]:
    """The ID token's claims once its signature, issuer, audience, expiry and nonce hold."""
    client_id = get_settings().oidc_client_id
    try:
        try:
            token = jwt.decode(id_token, _key_set(provider, fresh=False), algorithms=ALGORITHMS)
        except JoseError:  # perhaps keys the provider rotated in since they were fetched
            token = jwt.decode(id_token, _key_set(provider, fresh=True), algorithms=ALGORITHMS)
    except (JoseError, ValueError) as error:
        raise SsoRefused("token", "The provider's ID token is not signed by its keys.") from error
    registry = jwt.JWTClaimsRegistry(
        leeway=LEEWAY_SECONDS,
        iss={"essential": True, "value": provider.issuer},
        aud={"essential": True, "value": client_id},
        sub={"essential": True},
        exp={"essential": True},
        nonce={"essential": True},
    )
    claims = dict(token.claims)
    try:
        registry.validate(claims)
    except JoseError as error:
        raise SsoRefused("token", f"The provider's ID token was refused ({error}).") from error
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise SsoRefused("token", "The provider's ID token was made for another client.")
    if not isinstance(claims["nonce"], str) or not hmac.compare_digest(claims["nonce"], nonce):
        raise SsoRefused("nonce", "The provider's answer belongs to another sign-in.")
    return claims


def finish(*, cookie: str | None, state: str, code: str, agent: str | None) -> tuple[str, str]:
    """(a new session's secret, where to go next) for the provider's answer; SsoRefused
    when the answer or the person may not sign in."""
    flow = _unsigned(cookie)
    if not isinstance(flow.get("state"), str) or not hmac.compare_digest(flow["state"], state):
        raise SsoRefused("state", "The sign-in did not start here or took too long; try again.")
    provider = _provider()
    try:
        with _client() as client:
            tokens = client.fetch_token(
                provider.token_endpoint,
                grant_type="authorization_code",
                code=code,
                code_verifier=flow["verifier"],
            )
    except Exception as error:
        raise SsoRefused("provider", "The sign-in provider refused the sign-in.") from error
    id_token = tokens.get("id_token")
    if not isinstance(id_token, str):
        raise SsoRefused("token", "The sign-in provider sent no ID token.")
    actor = _person(_claims(provider, id_token, flow["nonce"]), provider.issuer)
    return sessions.start(actor, method=SignInMethod.SSO, agent=agent), str(flow["next"])


def _verified_email(claims: dict[str, Any]) -> str:
    if claims.get("email_verified") not in (True, "true"):
        raise SsoRefused("unverified", "The provider has not verified your address.")
    try:
        return users.validated_email(claims.get("email"))
    except InvalidInput as error:
        raise SsoRefused("unverified", "The provider sent no usable address.") from error


def _role(claims: dict[str, Any]) -> Role:
    """The highest role OIDC_ROLE_MAP gives the values of OIDC_ROLE_CLAIM; requester else."""
    settings = get_settings()
    values = claims.get(settings.oidc_role_claim) if settings.oidc_role_claim else None
    held = {values} if isinstance(values, str) else set(values if isinstance(values, list) else [])
    roles = [Role(role) for group, role in role_map(settings.oidc_role_map) if group in held]
    return max(roles, key=RANK.__getitem__, default=Role.REQUESTER)


def _person(claims: dict[str, Any], issuer: str) -> Actor:
    """The user these claims name: known by their identity, linked by their verified
    address, or made just in time when their domain is allowed."""
    subject = str(claims["sub"])
    known = sa.select(USERS).join(IDENTITIES, IDENTITIES.c.user_id == USERS.c.id)
    with transaction() as connection:
        row = connection.execute(
            known.where(IDENTITIES.c.issuer == issuer, IDENTITIES.c.subject == subject)
        ).first()
    if row is None:
        row = _link_or_make(claims, issuer, subject)
    if not row.active:
        raise SsoRefused("inactive", "Your account is deactivated.")
    return Actor.of(row)


def _new_user(claims: dict[str, Any], email: str) -> users.UserCreate:
    """The account to make: the provider's name for the person when it is a usable one,
    else the address's local part."""
    fields = {"email": email, "role": _role(claims), "password": secrets.token_urlsafe(32)}
    local = email.partition("@")[0][:100]
    for name in (claims.get("name"), local):
        try:
            return users.validate_user_create({**fields, "name": name})
        except InvalidInput:
            continue
    return users.validate_user_create({**fields, "name": "Colleague"})


def _link_or_make(claims: dict[str, Any], issuer: str, subject: str) -> Any:
    email = _verified_email(claims)
    domain = email.rpartition("@")[2]
    allowed = domain in get_settings().oidc_allowed_domains
    password_hash = passwords.hash_password(secrets.token_urlsafe(32)) if allowed else ""
    try:
        with transaction(write=True) as connection:
            row = connection.execute(sa.select(USERS).where(USERS.c.email == email)).first()
            kind = SecurityEventKind.SSO_LINKED
            if row is None:
                if not allowed:
                    raise SsoRefused("domain", "Your address's domain may not sign up here.")
                made = users.insert_user(
                    connection, data=_new_user(claims, email), password_hash=password_hash
                )
                row = connection.execute(sa.select(USERS).where(USERS.c.id == made.id)).one()
                kind = SecurityEventKind.SSO_CREATED
            connection.execute(
                sa.insert(IDENTITIES).values(
                    user_id=row.id, issuer=issuer, subject=subject, created_at=utc_now()
                )
            )
            security_log.record(connection, user_id=row.id, kind=kind, actor_id=None)
    except IntegrityError as error:  # the same first sign-in, twice at once
        raise SsoRefused("provider", "Sign-in in progress elsewhere; try again.") from error
    return row
