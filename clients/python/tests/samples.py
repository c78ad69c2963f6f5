"""Protocol lines for the tests, in the daemon's own wire format."""

import ipaddress
import json
from typing import Any, Dict, List, Optional

TIMESTAMP = "2025-11-20T20:30:45.123456"


def address(cidr: str) -> Dict[str, Any]:
    """One `ipv4_addresses` entry for "10.0.0.5/24"."""
    interface = ipaddress.IPv4Interface(cidr)
    return {
        "address": str(interface.ip),
        "prefixlen": interface.network.prefixlen,
        "subnet": str(interface.network),
        "network_address": str(interface.network.network_address),
    }


def report(name: str, index: int, cidrs: List[str], gateway: Optional[str] = None, **extra: Any) -> Dict[str, Any]:
    """One interface object; netmon's `type` defaults to "ethernet" (pass type=None to omit it)."""
    out: Dict[str, Any] = {
        "interface": name,
        "index": index,
        "operstate": "UP",
        "ipv4_addresses": [address(cidr) for cidr in cidrs],
        "gateway": gateway,
        "timestamp": TIMESTAMP,
        "type": "ethernet",
    }
    out.update(extra)
    return {key: value for key, value in out.items() if value is not None or key == "gateway"}


def discovery_line(*reports: Dict[str, Any]) -> str:
    return json.dumps({"type": "network_discovery", "data": {"interfaces": list(reports), "timestamp": TIMESTAMP}})


def change_line(data: Dict[str, Any]) -> str:
    return json.dumps({"type": "network_change", "data": data})
