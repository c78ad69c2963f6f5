"""Watch a netmon daemon the way the orchestrator agent does, with the netmon_client package.

    pip install ./clients/python
    python3 examples/python/watch.py --socket /var/orchestrator/netmon.sock --parent ens37

Prints one line per event, the parent interface's (subnet, gateway) after each, and asks
get_status once per discovery. Each line starts with a word: connected, discovery, change,
parent, status, unknown, malformed, disconnected, retrying.
"""

import argparse
import asyncio
import signal
import sys
from typing import List

from netmon_client import DEFAULT_SOCKET, Discovery, InterfaceCache, InterfaceChange, NetmonClient, NetmonClientError


def say(*words: object) -> None:
    print(*words, flush=True)


async def ask_status(client: NetmonClient) -> None:
    try:
        reply = await client.request({"command": "get_status"})
        say("status", "ready" if reply.get("status", {}).get("ready") else reply)
    except NetmonClientError as error:
        say("status", "failed", error.code)


async def watch(socket: str, parent: str) -> None:
    cache = InterfaceCache()
    cache.on_change(lambda change: say("change", change.name, change.kind))

    def parent_changed(change: InterfaceChange) -> None:
        # The agent reconnects the containers on `parent` here.
        say("parent", parent, change.kind, cache.network_of(parent))

    cache.on_interface_change(parent, parent_changed)
    async with NetmonClient(socket) as client:
        async for event in client:
            if isinstance(event, Discovery):
                names = ",".join(r.interface for r in event.event.data.interfaces) or "-"
                say("discovery", f"interfaces={names}", f"resync={str(event.resync).lower()}")
                asyncio.ensure_future(ask_status(client))
            elif event.kind in ("connected", "disconnected", "retrying", "unknown", "malformed"):
                say(event.kind, event)
            cache.apply(event)


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description="Watch a netmon daemon with the netmon_client package.")
    parser.add_argument("--socket", default=DEFAULT_SOCKET)
    parser.add_argument("--parent", default="ens37", help="the interface whose changes matter to you")
    options = parser.parse_args(argv)

    async def run() -> None:
        task = asyncio.ensure_future(watch(options.socket, options.parent))
        loop = asyncio.get_running_loop()
        for name in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(name, task.cancel)
        try:
            await task
        except asyncio.CancelledError:
            pass

    asyncio.run(run())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
