"""The reconnecting event stream and `request()`, over asyncio (the TypeScript client's twin).

Connection states:
    connecting --open--> open --closed/error/overrun--> waiting --backoff--> connecting
    connecting --error--> waiting
    any --close()--> closed (final)
The backoff (initial_delay doubling to max_delay) resets only when a discovery arrives, so
a daemon that accepts and drops connections in a loop is retried at the capped rate.
"""

import asyncio
import collections
import errno
import json
from dataclasses import dataclass
from typing import Any, ClassVar, Deque, Dict, List, Optional, Union

from .events import Malformed, NetworkChange, NetworkDiscovery, Reply, UnknownEvent, parse_line

#: The socket the sidecar serves by default (the seed's path).
DEFAULT_SOCKET = "/var/orchestrator/netmon.sock"
#: The reader's line limit. asyncio's default (64 KiB) fails on a discovery of about 265
#: interfaces; this is the TypeScript client's default. The reader may buffer up to twice it.
DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024
#: Events kept for a consumer that is not iterating; one more drops them and reconnects.
DEFAULT_MAX_QUEUED_EVENTS = 10_000


@dataclass(frozen=True)
class Connected:
    """A connection to `socket` is open; a discovery follows."""

    socket: str
    kind: ClassVar[str] = "connected"


@dataclass(frozen=True)
class Discovery:
    """The daemon's whole state. `resync` is True on every discovery after a reconnection:
    replace what you cached (InterfaceCache.apply does)."""

    event: NetworkDiscovery
    resync: bool
    kind: ClassVar[str] = "discovery"


@dataclass(frozen=True)
class Change:
    """One interface's new view."""

    event: NetworkChange
    kind: ClassVar[str] = "change"


@dataclass(frozen=True)
class Disconnected:
    """The open connection ended; `Retrying` follows."""

    reason: str
    kind: ClassVar[str] = "disconnected"


@dataclass(frozen=True)
class Retrying:
    """The socket is missing, refused, or the connection ended; the next try is in `delay` s."""

    error: str
    attempt: int
    delay: float
    kind: ClassVar[str] = "retrying"


#: What iterating a NetmonClient yields. Bad input arrives as Malformed/UnknownEvent, never raised.
ClientEvent = Union[Connected, Discovery, Change, UnknownEvent, Malformed, Disconnected, Retrying]


class NetmonClientError(Exception):
    """A request that got no reply. `code`: ERR_REQUEST_TIMEOUT, ERR_DISCONNECTED or ERR_CLIENT_CLOSED."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class _Pending:
    line: bytes
    command: str
    #: Cancelled when the caller gave up after sending: the late reply still takes its turn.
    future: "asyncio.Future[Dict[str, Any]]"


def _error_name(error: OSError) -> str:
    return errno.errorcode.get(error.errno or 0, type(error).__name__)


class NetmonClient:
    """One logical connection to the netmon socket: waits for the socket to appear,
    reconnects with backoff, yields typed events, matches command replies in order.

        async with NetmonClient("/var/orchestrator/netmon.sock") as client:
            async for event in client:
                cache.apply(event)

    Events wait until read, up to `max_queued_events`: one more drops the unread events and
    reconnects, and the next discovery (resync=True) carries the whole state, as the daemon
    does with a client that stops reading. Memory stays bounded either way.
    """

    def __init__(
        self,
        socket: str = DEFAULT_SOCKET,
        *,
        request_timeout: float = 5.0,
        initial_delay: float = 0.1,
        max_delay: float = 5.0,
        max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
        max_queued_events: int = DEFAULT_MAX_QUEUED_EVENTS,
    ) -> None:
        self.socket = socket
        self.request_timeout = request_timeout
        self.initial_delay = initial_delay
        self.max_delay = max_delay
        self.max_line_bytes = max_line_bytes
        self.max_queued_events = max_queued_events
        self._queue: Deque[ClientEvent] = collections.deque()
        self._wake: Optional[asyncio.Event] = None
        self._task: Optional["asyncio.Task[None]"] = None
        self._writer: Optional[asyncio.StreamWriter] = None
        self._outbox: List[_Pending] = []
        self._in_flight: List[_Pending] = []
        self._closed = False
        self._failures = 0
        self._discoveries = 0

    # -- lifetime ---------------------------------------------------------------------------

    def start(self) -> "NetmonClient":
        """Starts connecting (needs a running event loop); iterating or `request()` start it too."""
        if self._task is None and not self._closed:
            self._wake = asyncio.Event()
            self._task = asyncio.get_running_loop().create_task(self._run())
        return self

    async def __aenter__(self) -> "NetmonClient":
        return self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def close(self) -> None:
        """Closes for good: the iteration ends after the events already queued, pending requests fail."""
        if self._closed:
            return
        self._closed = True
        if self._task is not None:
            self._task.cancel()
        self._fail(self._outbox + self._in_flight, "ERR_CLIENT_CLOSED", "the netmon client was closed")
        self._outbox.clear()
        self._in_flight.clear()
        if self._wake is not None:
            self._wake.set()

    async def aclose(self) -> None:
        """`close()`, then waits until the connection is shut."""
        self.close()
        if self._task is not None:
            try:
                await self._task
            except asyncio.CancelledError:
                pass

    @property
    def connected(self) -> bool:
        """True while a connection is open."""
        return self._writer is not None

    # -- events -----------------------------------------------------------------------------

    def __aiter__(self) -> "NetmonClient":
        self.start()
        return self

    async def __anext__(self) -> ClientEvent:
        while True:
            if self._queue:
                return self._queue.popleft()
            if self._closed or self._wake is None:
                raise StopAsyncIteration
            self._wake.clear()
            await self._wake.wait()

    def _push(self, event: ClientEvent) -> None:
        self._queue.append(event)
        if self._wake is not None:
            self._wake.set()

    # -- requests ---------------------------------------------------------------------------

    async def request(self, command: Dict[str, Any], timeout: Optional[float] = None) -> Dict[str, Any]:
        """Sends one command (`{"command": "get_status"}`) and returns its reply, a dict with
        `success`. Replies come in command order; an error reply (success False) is returned.
        Waits for a connection if there is none yet. Raises NetmonClientError with code
        ERR_REQUEST_TIMEOUT (after `timeout`, default `request_timeout` s), ERR_DISCONNECTED
        (the connection dropped before the reply: retry) or ERR_CLIENT_CLOSED."""
        if not isinstance(command, dict) or not isinstance(command.get("command"), str):
            raise TypeError('a command is a dict with a string "command", e.g. {"command": "get_status"}')
        if self._closed:
            raise NetmonClientError("ERR_CLIENT_CLOSED", "the netmon client was closed")
        self.start()
        seconds = self.request_timeout if timeout is None else timeout
        pending = _Pending(
            line=(json.dumps(command, separators=(",", ":")) + "\n").encode(),
            command=command["command"],
            future=asyncio.get_running_loop().create_future(),
        )
        if self._writer is not None:
            self._send(pending)
        else:
            self._outbox.append(pending)
        try:
            return await asyncio.wait_for(asyncio.shield(pending.future), seconds)
        except asyncio.TimeoutError:
            self._abandon(pending)
            raise NetmonClientError("ERR_REQUEST_TIMEOUT", f"no reply to {pending.command} from {self.socket} within {seconds} s") from None
        except asyncio.CancelledError:
            self._abandon(pending)
            raise

    def _abandon(self, pending: _Pending) -> None:
        if pending in self._outbox:
            self._outbox.remove(pending)
        else:
            pending.future.cancel()

    def _send(self, pending: _Pending) -> None:
        assert self._writer is not None
        self._in_flight.append(pending)
        self._writer.write(pending.line)

    def _answer_oldest(self, reply: Dict[str, Any]) -> bool:
        """Settles the oldest request sent on this connection; False when none was waiting."""
        if not self._in_flight:
            return False
        pending = self._in_flight.pop(0)
        if not pending.future.done():
            pending.future.set_result(reply)
        return True

    @staticmethod
    def _fail(pendings: List[_Pending], code: str, message: str) -> None:
        for pending in pendings:
            if not pending.future.done():
                pending.future.set_exception(NetmonClientError(code, message))

    # -- the connection ---------------------------------------------------------------------

    async def _run(self) -> None:
        while not self._closed:
            try:
                reader, writer = await asyncio.open_unix_connection(self.socket, limit=self.max_line_bytes)
            except OSError as error:
                reason = _error_name(error)
            else:
                reason = await self._serve(reader, writer)
            delay = min(self.max_delay, self.initial_delay * 2**self._failures)
            self._failures += 1
            self._push(Retrying(reason, self._failures, delay))
            await asyncio.sleep(delay)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> str:
        """Reads one connection until it ends; returns why it ended."""
        self._writer = writer
        self._push(Connected(self.socket))
        for pending in self._outbox:
            self._send(pending)
        self._outbox.clear()
        reason = "closed by the daemon"
        try:
            while True:
                try:
                    raw = await reader.readuntil(b"\n")
                except asyncio.IncompleteReadError as cut:
                    if cut.partial.strip():
                        self._push(Malformed(cut.partial.decode("utf-8", "replace"), "connection closed mid-line"))
                    break
                except asyncio.LimitOverrunError:
                    self._push(Malformed("", f"a line longer than {self.max_line_bytes} bytes; reconnecting"))
                    reason = "line too long"
                    break
                except OSError as error:
                    reason = _error_name(error)
                    break
                line = raw[:-1].decode("utf-8", "replace")
                if line.strip():
                    self._on_line(line)
                if len(self._queue) > self.max_queued_events:
                    self._queue.clear()
                    reason = f"the consumer fell behind: more than {self.max_queued_events} events unread, dropped; the next discovery has them all"
                    break
                if self._queue:
                    # Lines already buffered are read without suspending: let the consumer run.
                    await asyncio.sleep(0)
        finally:
            self._writer = None
            writer.close()
            in_flight, self._in_flight = self._in_flight, []
            self._fail(in_flight, "ERR_DISCONNECTED", f"{self.socket} closed before replying; retry the request")
        self._push(Disconnected(reason))
        return reason

    def _on_line(self, line: str) -> None:
        parsed = parse_line(line)
        if isinstance(parsed, NetworkDiscovery):
            self._failures = 0
            self._discoveries += 1
            self._push(Discovery(parsed, resync=self._discoveries > 1))
        elif isinstance(parsed, NetworkChange):
            self._push(Change(parsed))
        elif isinstance(parsed, Reply):
            if not self._answer_oldest(parsed.message):
                error = parsed.message.get("error")
                detail = f": {error}" if parsed.message.get("success") is False else ""
                self._push(Malformed(line, f"a reply with no request waiting{detail}"))
        elif isinstance(parsed, Malformed):
            self._push(parsed)
            if parsed.bad_reply:
                self._answer_oldest({"success": False, "error": f"malformed reply: {parsed.reason}"})
        else:
            self._push(parsed)


def connect(socket: str = DEFAULT_SOCKET, **options: Any) -> NetmonClient:
    """A started NetmonClient (call from a coroutine); see NetmonClient for the options."""
    return NetmonClient(socket, **options).start()
