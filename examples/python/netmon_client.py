#!/usr/bin/env python3
"""A netmon client in standard-library Python (asyncio): connect, cache, subnet lookup, reconnect.

The orchestrator agent's side of the protocol in schema/netmon-protocol.schema.json:

    async for kind, payload in NetmonClient(path).events():
        cache.apply(kind, payload)

Run it to watch a daemon and answer "which interface holds this address?" after each event:

    python3 netmon_client.py --socket /var/orchestrator/netmon.sock --lookup 192.168.1.77

Each output line starts with a word: connected, discovery, change, unknown, malformed,
disconnected, retrying, lookup, reply.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import signal
import sys
from dataclasses import dataclass
from typing import Any, AsyncIterator, Callable, Optional

DEFAULT_SOCKET = "/var/orchestrator/netmon.sock"
MAX_LINE_BYTES = 16 * 1024 * 1024


def is_leaving(report: dict) -> bool:
    """The daemon took the interface out of the report: down, removed, or no IPv4 left."""
    return "status" in report or not report.get("ipv4_addresses")


def _same(a: dict, b: dict) -> bool:
    strip = lambda report: {k: v for k, v in report.items() if k != "timestamp"}  # noqa: E731
    return strip(a) == strip(b)


@dataclass
class InterfaceChange:
    name: str
    kind: str  # "added" | "changed" | "removed"
    before: Optional[dict]
    after: Optional[dict]


class InterfaceCache:
    """INTERFACE_CACHE: folds discovery and change events; never keeps a down/removed interface."""

    def __init__(self) -> None:
        self._by_name: dict[str, dict] = {}
        self._listeners: list[Callable[[InterfaceChange], None]] = []

    def on_change(self, listener: Callable[[InterfaceChange], None]) -> None:
        self._listeners.append(listener)

    def apply(self, kind: str, payload: Any) -> list[InterfaceChange]:
        if kind == "discovery":
            changes = self._replace_all(payload["data"]["interfaces"])
        elif kind == "change":
            changes = self._apply_one(payload["data"])
        else:
            return []
        for change in changes:
            for listener in self._listeners:
                listener(change)
        return changes

    def get(self, name: str) -> Optional[dict]:
        return self._by_name.get(name)

    def all(self) -> list[dict]:
        return sorted(self._by_name.values(), key=lambda report: report["index"])

    def interface_for(self, address: str) -> Optional[dict]:
        """The interface whose subnet holds `address`; the longest prefix wins (a /32 only itself)."""
        try:
            target = ipaddress.IPv4Address(address)
        except ValueError:
            return None
        best: Optional[tuple[int, dict]] = None
        for report in self.all():
            for entry in report["ipv4_addresses"]:
                network = ipaddress.IPv4Network(f"{entry['address']}/{entry['prefixlen']}", strict=False)
                if target in network and (best is None or network.prefixlen > best[0]):
                    best = (network.prefixlen, report)
        return None if best is None else best[1]

    def _apply_one(self, report: dict) -> list[InterfaceChange]:
        name = report["interface"]
        before = self._by_name.get(name)
        if is_leaving(report):
            if before is None:
                return []
            del self._by_name[name]
            return [InterfaceChange(name, "removed", before, None)]
        self._by_name[name] = report
        if before is None:
            return [InterfaceChange(name, "added", None, report)]
        return [] if _same(before, report) else [InterfaceChange(name, "changed", before, report)]

    def _replace_all(self, reports: list[dict]) -> list[InterfaceChange]:
        listed = {report["interface"] for report in reports}
        changes = [InterfaceChange(name, "removed", before, None) for name, before in self._by_name.items() if name not in listed]
        for change in changes:
            del self._by_name[change.name]
        for report in reports:
            changes.extend(self._apply_one(report))
        return changes


class NetmonClient:
    """One logical connection: waits for the socket, reconnects with capped backoff, matches replies in order."""

    def __init__(self, path: str = DEFAULT_SOCKET, initial_delay: float = 0.1, max_delay: float = 5.0) -> None:
        self.path = path
        self.initial_delay = initial_delay
        self.max_delay = max_delay
        self._writer: Optional[asyncio.StreamWriter] = None
        self._waiting: list[asyncio.Future] = []

    async def request(self, command: dict, timeout: float = 5.0) -> dict:
        """Sends a command and returns its reply (a dict with "success"). Needs a running events() loop."""
        if self._writer is None:
            raise ConnectionError(f"not connected to {self.path}")
        future: asyncio.Future = asyncio.get_running_loop().create_future()
        self._waiting.append(future)
        self._writer.write((json.dumps(command) + "\n").encode())
        await self._writer.drain()
        # shield: a timed-out request keeps its slot, so later replies still match in order.
        return await asyncio.wait_for(asyncio.shield(future), timeout)

    async def events(self) -> AsyncIterator[tuple[str, Any]]:
        """Yields (kind, payload): connected, discovery, change, unknown, malformed, disconnected, retrying."""
        failures = 0
        discoveries = 0
        while True:
            try:
                reader, writer = await asyncio.open_unix_connection(self.path, limit=MAX_LINE_BYTES)
            except OSError as error:
                delay = min(self.max_delay, self.initial_delay * 2 ** failures)
                failures += 1
                yield "retrying", {"error": error.__class__.__name__, "delay": delay}
                await asyncio.sleep(delay)
                continue
            self._writer = writer
            yield "connected", self.path
            reason = "closed by the daemon"
            try:
                while True:
                    try:
                        raw = await reader.readuntil(b"\n")
                    except asyncio.IncompleteReadError as partial:
                        if partial.partial.strip():
                            yield "malformed", {"line": partial.partial.decode(errors="replace"), "reason": "connection closed mid-line"}
                        break
                    except asyncio.LimitOverrunError:
                        reason = "line too long"
                        yield "malformed", {"line": "", "reason": reason}
                        break
                    line = raw.decode(errors="replace").strip()
                    if not line:
                        continue
                    kind, payload = self._classify(line)
                    if kind == "reply":
                        if self._waiting:
                            future = self._waiting.pop(0)
                            if not future.done():
                                future.set_result(payload)
                        else:
                            yield "malformed", {"line": line, "reason": "a reply with no request waiting"}
                        continue
                    if kind == "discovery":
                        failures = 0
                        discoveries += 1
                        payload = {**payload, "resync": discoveries > 1}
                    yield kind, payload
            except OSError as error:
                reason = error.__class__.__name__
            finally:
                self._writer = None
                for future in self._waiting:
                    if not future.done():
                        future.set_exception(ConnectionError(f"{self.path} closed before replying"))
                self._waiting.clear()
                writer.close()
            yield "disconnected", reason
            delay = min(self.max_delay, self.initial_delay * 2 ** failures)
            failures += 1
            await asyncio.sleep(delay)

    @staticmethod
    def _classify(line: str) -> tuple[str, Any]:
        try:
            message = json.loads(line)
        except ValueError as error:
            return "malformed", {"line": line, "reason": f"invalid JSON ({error})"}
        if not isinstance(message, dict):
            return "malformed", {"line": line, "reason": "not a JSON object"}
        kind = message.get("type")
        if kind is None:
            return "reply", message
        if kind == "network_discovery" and isinstance(message.get("data"), dict) and isinstance(message["data"].get("interfaces"), list):
            return "discovery", message
        if kind == "network_change" and isinstance(message.get("data"), dict) and "interface" in message["data"]:
            return "change", message
        if kind in ("network_discovery", "network_change"):
            return "malformed", {"line": line, "reason": f"bad {kind}"}
        return "unknown", message


def _addresses(report: Optional[dict]) -> str:
    if not report:
        return "-"
    return ",".join(f"{a['address']}/{a['prefixlen']}" for a in report["ipv4_addresses"]) or "-"


async def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--socket", default=DEFAULT_SOCKET)
    parser.add_argument("--lookup", action="append", default=[], help="an IPv4 address to find the interface of, after each event")
    parser.add_argument("--status", action="store_true", help="ask get_status after each discovery")
    options = parser.parse_args(argv)

    say = lambda *words: print(*words, flush=True)  # noqa: E731
    client = NetmonClient(options.socket)
    cache = InterfaceCache()
    cache.on_change(lambda change: say("change", change.name, change.kind, "before", _addresses(change.before), "after", _addresses(change.after)))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for name in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(name, stop.set)

    async def follow() -> None:
        async for kind, payload in client.events():
            if kind == "discovery":
                names = ",".join(report["interface"] for report in payload["data"]["interfaces"]) or "-"
                say("discovery", f"interfaces={names}", f"resync={str(payload['resync']).lower()}")
            elif kind in ("connected", "disconnected"):
                say(kind, payload)
            elif kind == "retrying":
                say("retrying", payload["error"], f"in {payload['delay']:.2f}s")
            elif kind in ("unknown", "malformed"):
                say(kind, json.dumps(payload))
            cache.apply(kind, payload)
            if kind in ("discovery", "change"):
                for address in options.lookup:
                    found = cache.interface_for(address)
                    say("lookup", address, "->", found["interface"] if found else "none")
            if kind == "discovery" and options.status:
                asyncio.ensure_future(ask_status())

    async def ask_status() -> None:
        try:
            reply = await client.request({"command": "get_status"})
            say("reply", "get_status", "ready" if reply.get("status", {}).get("ready") else json.dumps(reply))
        except (ConnectionError, asyncio.TimeoutError) as error:
            say("reply", "get_status", "failed", repr(error))

    task = asyncio.ensure_future(follow())
    await stop.wait()
    task.cancel()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
