"""The protocol's events as dataclasses, and the parser of one line from the socket.

Field names are the wire's (network-monitor.md): `interface`, `index`, `operstate`,
`ipv4_addresses`, `gateway`, `timestamp`, with netmon's additions `type` and `status`
optional, so events from the reference daemon (which sends neither) parse too. Fields this
client does not know are ignored (a newer daemon may add some); a known field with a wrong
type makes the line `Malformed`, never an exception.
"""

import json
import re
from dataclasses import dataclass
from typing import Any, ClassVar, Dict, List, Optional, Tuple, Union

_IPV4 = re.compile(r"^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$")
_SUBNET = re.compile(_IPV4.pattern[:-1] + r"/(3[0-2]|[12]?\d)$")
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$")


@dataclass(frozen=True)
class Ipv4Address:
    """One entry of `ipv4_addresses`."""

    address: str
    prefixlen: int
    subnet: str
    network_address: str


@dataclass(frozen=True)
class InterfaceReport:
    """One interface as the daemon reports it (in a discovery, or as a change's `data`)."""

    interface: str
    index: int
    operstate: str
    ipv4_addresses: Tuple[Ipv4Address, ...]
    gateway: Optional[str]
    timestamp: str
    #: netmon: "ethernet" or "wifi"; None from the reference daemon.
    type: Optional[str] = None
    #: netmon, only on a change that takes the interface out of the report: "down" or "removed".
    status: Optional[str] = None

    @property
    def leaving(self) -> bool:
        """True when the interface left the report: down, removed, or no IPv4 address left."""
        return self.status is not None or not self.ipv4_addresses

    def same_view(self, other: "InterfaceReport") -> bool:
        """Equal in everything but `timestamp` (the daemon never reports a no-op, but a resync may repeat one)."""
        return _without_timestamp(self) == _without_timestamp(other)


def _without_timestamp(report: InterfaceReport) -> Tuple[Any, ...]:
    return (report.interface, report.index, report.operstate, report.ipv4_addresses, report.gateway, report.type, report.status)


@dataclass(frozen=True)
class DiscoveryData:
    """The `data` of a `network_discovery`."""

    interfaces: Tuple[InterfaceReport, ...]
    timestamp: str


@dataclass(frozen=True)
class NetworkDiscovery:
    """`{"type": "network_discovery", "data": {...}}`: the first line on every connection."""

    data: DiscoveryData
    type: str = "network_discovery"


@dataclass(frozen=True)
class NetworkChange:
    """`{"type": "network_change", "data": {...}}`: one interface's new view."""

    data: InterfaceReport
    type: str = "network_change"


@dataclass(frozen=True)
class UnknownEvent:
    """A JSON object with a `type` this client does not know (a newer daemon), passed through."""

    type: str
    message: Dict[str, Any]
    kind: ClassVar[str] = "unknown"


@dataclass(frozen=True)
class Reply:
    """A line without `type`: the answer to the oldest command still waiting."""

    message: Dict[str, Any]


@dataclass(frozen=True)
class Malformed:
    """A line that is not JSON, not an object, or breaks the protocol; `reason` says how."""

    line: str
    reason: str
    #: An object without `type` that is not a valid reply: it still answers the oldest request.
    bad_reply: bool = False
    kind: ClassVar[str] = "malformed"


ParsedLine = Union[NetworkDiscovery, NetworkChange, UnknownEvent, Reply, Malformed]


class _Bad(Exception):
    """Internal: a field that breaks the protocol, with its JSON path."""


def _field(obj: Dict[str, Any], key: str, path: str) -> Any:
    if key not in obj:
        raise _Bad(f"{path}/{key}: missing")
    return obj[key]


def _string(value: Any, path: str, pattern: Optional["re.Pattern[str]"] = None) -> str:
    if not isinstance(value, str) or value == "":
        raise _Bad(f"{path}: expected a non-empty string, got {_short(value)}")
    if pattern is not None and not pattern.match(value):
        raise _Bad(f"{path}: {_short(value)} does not match {pattern.pattern}")
    return value


def _integer(value: Any, path: str, low: int, high: Optional[int] = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
        limits = f">= {low}" if high is None else f"{low}..{high}"
        raise _Bad(f"{path}: expected an integer {limits}, got {_short(value)}")
    return value


def _object(value: Any, path: str) -> Dict[str, Any]:
    if not isinstance(value, dict):
        raise _Bad(f"{path}: expected an object, got {_short(value)}")
    return value


def _array(value: Any, path: str) -> List[Any]:
    if not isinstance(value, list):
        raise _Bad(f"{path}: expected an array, got {_short(value)}")
    return value


def _optional_string(obj: Dict[str, Any], key: str, path: str) -> Optional[str]:
    if key not in obj:
        return None
    return _string(obj[key], f"{path}/{key}")


def _short(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 80 else text[:80] + "..."


def _address(value: Any, path: str) -> Ipv4Address:
    obj = _object(value, path)
    return Ipv4Address(
        address=_string(_field(obj, "address", path), f"{path}/address", _IPV4),
        prefixlen=_integer(_field(obj, "prefixlen", path), f"{path}/prefixlen", 0, 32),
        subnet=_string(_field(obj, "subnet", path), f"{path}/subnet", _SUBNET),
        network_address=_string(_field(obj, "network_address", path), f"{path}/network_address", _IPV4),
    )


def parse_report(value: Any, path: str = "") -> InterfaceReport:
    """One interface object; raises ValueError naming the bad field."""
    try:
        return _report(value, path)
    except _Bad as error:
        raise ValueError(str(error)) from None


def _report(value: Any, path: str) -> InterfaceReport:
    obj = _object(value, path or "/")
    interface = _string(_field(obj, "interface", path), f"{path}/interface")
    index = _integer(_field(obj, "index", path), f"{path}/index", 0)
    operstate = _string(_field(obj, "operstate", path), f"{path}/operstate")
    addresses = _array(_field(obj, "ipv4_addresses", path), f"{path}/ipv4_addresses")
    ipv4_addresses = tuple(_address(entry, f"{path}/ipv4_addresses/{i}") for i, entry in enumerate(addresses))
    gateway = _field(obj, "gateway", path)
    return InterfaceReport(
        interface=interface,
        index=index,
        operstate=operstate,
        ipv4_addresses=ipv4_addresses,
        gateway=None if gateway is None else _string(gateway, f"{path}/gateway", _IPV4),
        timestamp=_string(_field(obj, "timestamp", path), f"{path}/timestamp", _TIMESTAMP),
        type=_optional_string(obj, "type", path),
        status=_optional_string(obj, "status", path),
    )


def _discovery(message: Dict[str, Any]) -> NetworkDiscovery:
    data = _object(_field(message, "data", ""), "/data")
    interfaces = _array(_field(data, "interfaces", "/data"), "/data/interfaces")
    return NetworkDiscovery(
        data=DiscoveryData(
            interfaces=tuple(_report(entry, f"/data/interfaces/{i}") for i, entry in enumerate(interfaces)),
            timestamp=_string(_field(data, "timestamp", "/data"), "/data/timestamp", _TIMESTAMP),
        )
    )


def _change(message: Dict[str, Any]) -> NetworkChange:
    return NetworkChange(data=_report(_field(message, "data", ""), "/data"))


def parse_line(line: str) -> ParsedLine:
    """Classifies one line (without its newline) from the daemon. Never raises on bad input."""
    try:
        message = json.loads(line)
    except ValueError as error:
        return Malformed(line, f"invalid JSON ({error})")
    if not isinstance(message, dict):
        return Malformed(line, "not a JSON object")
    kind = message.get("type")
    if kind is None:
        if not isinstance(message.get("success"), bool):
            return Malformed(line, 'bad reply: "success" is not true or false', bad_reply=True)
        return Reply(message)
    if not isinstance(kind, str):
        return Malformed(line, f'"type" is not a string: {_short(kind)}')
    try:
        if kind == "network_discovery":
            return _discovery(message)
        if kind == "network_change":
            return _change(message)
    except _Bad as error:
        return Malformed(line, f"bad {kind}: {error}")
    return UnknownEvent(kind, message)


def report_to_json(report: InterfaceReport) -> Dict[str, Any]:
    """The wire form of a report (the inverse of `parse_report`)."""
    out: Dict[str, Any] = {
        "interface": report.interface,
        "index": report.index,
        "operstate": report.operstate,
        "ipv4_addresses": [vars(entry).copy() for entry in report.ipv4_addresses],
        "gateway": report.gateway,
        "timestamp": report.timestamp,
    }
    if report.type is not None:
        out["type"] = report.type
    if report.status is not None:
        out["status"] = report.status
    return out
