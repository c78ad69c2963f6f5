"""Client for the netmon network monitor socket (standard library only, Python 3.9+).

    import asyncio
    from netmon_client import Discovery, InterfaceCache, NetmonClient

    async def main():
        cache = InterfaceCache()
        cache.on_interface_change("ens37", lambda change: print("parent changed:", change.kind))
        async with NetmonClient("/var/orchestrator/netmon.sock") as client:
            async for event in client:
                cache.apply(event)
                if isinstance(event, Discovery):
                    print(cache.network_of("ens37"), await client.request({"command": "get_status"}))

    asyncio.run(main())
"""

from .cache import InterfaceCache, InterfaceChange
from .client import (
    DEFAULT_MAX_LINE_BYTES,
    DEFAULT_MAX_QUEUED_EVENTS,
    DEFAULT_SOCKET,
    Change,
    ClientEvent,
    Connected,
    Disconnected,
    Discovery,
    NetmonClient,
    NetmonClientError,
    Retrying,
    connect,
)
from .events import (
    DiscoveryData,
    InterfaceReport,
    Ipv4Address,
    Malformed,
    NetworkChange,
    NetworkDiscovery,
    ParsedLine,
    Reply,
    UnknownEvent,
    parse_line,
    parse_report,
    report_to_json,
)

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_MAX_LINE_BYTES",
    "DEFAULT_MAX_QUEUED_EVENTS",
    "DEFAULT_SOCKET",
    "Change",
    "ClientEvent",
    "Connected",
    "Disconnected",
    "Discovery",
    "DiscoveryData",
    "InterfaceCache",
    "InterfaceChange",
    "InterfaceReport",
    "Ipv4Address",
    "Malformed",
    "NetmonClient",
    "NetmonClientError",
    "NetworkChange",
    "NetworkDiscovery",
    "ParsedLine",
    "Reply",
    "Retrying",
    "UnknownEvent",
    "connect",
    "parse_line",
    "parse_report",
    "report_to_json",
]
