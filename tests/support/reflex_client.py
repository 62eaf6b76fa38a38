"""A browser tab, minus the browser: Reflex's websocket protocol from Python.

Tests use it to do what a hostile or a busy client can do to the served app (call any handler
with any arguments, many times, from many tabs), and load benches use it to open a thousand
tabs at once. Each `ReflexTab` is what one browser tab is to the backend: its own client
token, the websocket handshake a browser makes to `/_event` (Origin, an optional Cookie
header, Reflex's subprotocol) and the hydrate event inside the Socket.IO CONNECT packet.
Every state update the server pushes is kept with its arrival time, merged into `tab.state`,
and `call` times a handler from sending it until the update that carries its result.

    import asyncio
    from tests.support.reflex_client import ReflexTab, event_name
    from ticket_app.ui.state.tickets import TicketsState

    async def main() -> None:
        async with ReflexTab("http://127.0.0.1:8000") as tab:
            await tab.open("/tickets?status=open")      # hydrate + on_load, like a page load
            print(tab.value(TicketsState, "total"))
            reply = await tab.call(event_name(TicketsState.next_page), path="/tickets")
            print(f"next page in {reply.seconds * 1000:.1f} ms")

    asyncio.run(main())

Event names are the ones the compiled frontend sends, `"<state path>.<handler>"`;
`event_name` and `state_name` derive them from the app's classes, and plain strings work too.
"""

import asyncio
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import aiohttp
import socketio

ROOT_STATE = "reflex___state____state"
HYDRATE = f"{ROOT_STATE}.hydrate_and_load"
ON_LOAD = f"{ROOT_STATE}.reflex___state____on_load_internal_state.on_load_internal"
VAR_SUFFIX = "_rx_state_"
EVENT_PATH = "/_event"


def state_name(state: Any) -> str:
    """The full path of a state class (`TicketsState` -> `reflex___state____state.ticket_...`)."""
    return state if isinstance(state, str) else state.get_full_name()


def event_name(handler: Any) -> str:
    """The name the frontend sends for an event handler (`TicketsState.load`)."""
    from reflex_base.utils.format import format_event_handler

    return format_event_handler(handler)


def router_data(path: str, params: Mapping[str, str] | None = None) -> dict[str, Any]:
    """What the browser sends along with every event: where the tab is.

    `params` are the route's own parameters (`{"ticket_id": "7"}` for `/tickets/7`), which the
    browser adds to the query from the router, since only the server knows the route table.
    """
    parts = urlsplit(path)
    data: dict[str, Any] = {"pathname": parts.path or "/", "asPath": path}
    query = {**dict(parse_qsl(parts.query)), **(params or {})}
    if query:
        data["query"] = query
    return data


@dataclass(frozen=True)
class Update:
    """One state update from the server: when it arrived, the delta and any frontend events."""

    at: float
    delta: dict[str, dict[str, Any]]
    events: list[dict[str, Any]]

    def touches(self, state: Any) -> bool:
        return state_name(state) in self.delta


@dataclass(frozen=True)
class Reply:
    """What came back for one event: the updates from sending it until the matching one."""

    sent_at: float
    updates: list[Update]

    @property
    def seconds(self) -> float:
        """From sending the event to the update that carried its result."""
        return self.updates[-1].at - self.sent_at

    @property
    def last(self) -> Update:
        return self.updates[-1]


@dataclass
class ReflexTab:
    """One tab of the app at `base_url` (`http://host:port`), over a real websocket.

    `origin` defaults to `base_url`, as for a page the app served itself; `cookie` is sent
    verbatim as the handshake's Cookie header; `headers` adds or replaces any other header.
    """

    base_url: str
    origin: str | None = None
    cookie: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    token: str = field(default_factory=lambda: str(uuid.uuid4()))
    updates: list[Update] = field(default_factory=list, init=False)
    state: dict[str, dict[str, Any]] = field(default_factory=dict, init=False)
    path: str = field(default="/", init=False)
    params: dict[str, str] = field(default_factory=dict, init=False)
    listener: Callable[[Update], None] | None = field(default=None, repr=False)
    """Called with every update as it arrives (a bench notes what it needs and may clear
    `updates`, which otherwise keeps every update of the tab's life)."""

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        self._client: socketio.AsyncClient | None = None
        self._http: aiohttp.ClientSession | None = None
        self._arrived = asyncio.Event()

    async def __aenter__(self) -> "ReflexTab":
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    @property
    def connected(self) -> bool:
        return self._client is not None and self._client.connected

    @property
    def sid(self) -> str | None:
        """The Socket.IO session id the server gave this tab's connection."""
        return self._client.get_sid(EVENT_PATH) if self._client is not None else None

    def _event(self, name: str, payload: Mapping[str, Any] | None = None) -> dict[str, Any]:
        return {
            "name": name,
            "payload": dict(payload or {}),
            "router_data": router_data(self.path, self.params),
        }

    def _handshake_headers(self) -> dict[str, str]:
        headers = {"Origin": self.origin or self.base_url}
        if self.cookie:
            headers["Cookie"] = self.cookie
        return {**headers, **self.headers}

    def _on_update(self, update: dict[str, Any]) -> None:
        delta = update.get("delta") or {}
        self.updates.append(Update(time.perf_counter(), delta, update.get("events") or []))
        for substate, values in delta.items():
            self.state.setdefault(substate, {}).update(values)
        if self.listener is not None:
            self.listener(self.updates[-1])
        self._arrived.set()
        self._arrived = asyncio.Event()

    def _on_new_token(self, token: str) -> None:
        """The server saw this token on another tab and gave this one a new token."""
        self.token = token

    async def open(
        self, path: str = "/", params: Mapping[str, str] | None = None, timeout: float = 30
    ) -> Reply:
        """Connect and load the page at `path` as a browser tab does.

        The hydrate event rides in the CONNECT packet; the server answers with the state and
        runs the page's on_load handlers. Returns once the page is hydrated (its on_load
        handlers, not the background events they started, are done). A refused handshake
        (another Origin or Host) raises `socketio.exceptions.ConnectionError`.
        """
        if self._client is not None:
            raise RuntimeError("this tab is already open; use navigate()")
        self.path, self.params = path, dict(params or {})
        self._http = aiohttp.ClientSession()
        # The headers go to the websocket request as they are: given to connect(), a Cookie
        # header would pass through aiohttp's cookie jar, which sends none to an IP address.
        client = socketio.AsyncClient(
            reconnection=False,
            http_session=self._http,
            websocket_extra_options={
                "protocols": _subprotocols(),
                "headers": self._handshake_headers(),
            },
        )
        client.on("event", self._on_update, namespace=EVENT_PATH)
        client.on("new_token", self._on_new_token, namespace=EVENT_PATH)
        self._client = client
        seen = len(self.updates)
        sent_at = time.perf_counter()
        try:
            await client.connect(
                f"{self.base_url}?token={self.token}",
                auth={"event": self._event(HYDRATE)},
                transports=["websocket"],
                namespaces=[EVENT_PATH],
                socketio_path=EVENT_PATH,
                wait_timeout=timeout,
            )
        except BaseException:
            await self.close()
            raise
        return await self._reply(sent_at, seen, self._hydrated, timeout)

    async def navigate(
        self, path: str, params: Mapping[str, str] | None = None, timeout: float = 30
    ) -> Reply:
        """Go to another page inside the app, as a link click does (`on_load_internal`)."""
        self.path, self.params = path, dict(params or {})
        seen = len(self.updates)
        sent_at = await self.send(ON_LOAD)
        return await self._reply(sent_at, seen, self._hydrated, timeout)

    async def send(self, handler: str, payload: Mapping[str, Any] | None = None) -> float:
        """Send one event from the tab's current page without waiting; returns when it left."""
        if self._client is None:
            raise RuntimeError("open() the tab first")
        sent_at = time.perf_counter()
        await self._client.emit("event", self._event(handler, payload), namespace=EVENT_PATH)
        return sent_at

    async def call(
        self,
        handler: str,
        payload: Mapping[str, Any] | None = None,
        *,
        until: Callable[[Update], bool] | None = None,
        timeout: float = 30,
    ) -> Reply:
        """Send an event and wait for the update that carries its result.

        That is the first update satisfying `until`; by default, the first that touches the
        handler's own state. `reply.seconds` is the time from sending to that update.
        """
        own_state = handler.rpartition(".")[0]
        seen = len(self.updates)
        sent_at = await self.send(handler, payload)
        return await self._reply(sent_at, seen, until or (lambda u: u.touches(own_state)), timeout)

    async def wait_for(self, until: Callable[[Update], bool], timeout: float = 30) -> Update:
        """The first update from now on that satisfies `until`."""
        reply = await self._reply(time.perf_counter(), len(self.updates), until, timeout)
        return reply.last

    def value(self, state: Any, var: str) -> Any:
        """The latest value of a var the server sent (`tab.value(TicketsState, "total")`)."""
        return self.state[state_name(state)][var + VAR_SUFFIX]

    async def close(self) -> None:
        """Disconnect, as closing the tab does."""
        client, self._client = self._client, None
        http, self._http = self._http, None
        if client is not None:
            await client.shutdown()
        if http is not None:
            await http.close()

    def _hydrated(self, update: Update) -> bool:
        return update.delta.get(ROOT_STATE, {}).get("is_hydrated" + VAR_SUFFIX) is True

    async def _reply(
        self, sent_at: float, seen: int, until: Callable[[Update], bool], timeout: float
    ) -> Reply:
        deadline = time.perf_counter() + timeout
        checked = seen
        while True:
            for index in range(checked, len(self.updates)):
                if until(self.updates[index]):
                    return Reply(sent_at, self.updates[seen : index + 1])
            checked = len(self.updates)
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise TimeoutError(f"no matching update within {timeout} s on {self.path}")
            arrived = self._arrived
            try:
                await asyncio.wait_for(arrived.wait(), remaining)
            except TimeoutError:
                continue


def _subprotocols() -> tuple[str, ...]:
    """The subprotocol a browser offers: the version of Reflex its frontend was built with."""
    try:
        return (version("reflex"),)
    except PackageNotFoundError:
        return ()
