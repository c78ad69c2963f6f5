"""The agent's INTERFACE_CACHE: the daemon's current interfaces, folded from its events."""

import ipaddress
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Set, Tuple, Union

from .events import InterfaceReport, NetworkChange, NetworkDiscovery
from .client import Change, Discovery


@dataclass(frozen=True)
class InterfaceChange:
    """One interface entering, changing in, or leaving the cache."""

    name: str
    #: "added", "changed" or "removed".
    kind: str
    #: The cached report before; None when added.
    before: Optional[InterfaceReport]
    #: The cached report after; None when removed.
    after: Optional[InterfaceReport]
    #: The report that caused it (a removal's carries `status`); None when a discovery no longer lists it.
    cause: Optional[InterfaceReport]


Listener = Callable[[InterfaceChange], None]
Applicable = Union[Discovery, Change, NetworkDiscovery, NetworkChange, object]


class InterfaceCache:
    """The interfaces the daemon reports now. A discovery replaces everything; a change with
    `status`, or without addresses, removes the interface: the cache never keeps one that the
    daemon reported down or removed. Listeners run after the cache is updated, in the order
    they were added; an exception in one propagates out of `apply`."""

    def __init__(self) -> None:
        self._by_name: Dict[str, InterfaceReport] = {}
        self._listeners: List[Listener] = []

    def apply(self, event: Applicable) -> List[InterfaceChange]:
        """Folds one event in (a client `Discovery`/`Change` or the protocol event inside it);
        anything else is ignored. Returns what changed, after telling the listeners."""
        if isinstance(event, (Discovery, Change)):
            event = event.event
        if isinstance(event, NetworkDiscovery):
            changes = self._replace_all(event.data.interfaces)
        elif isinstance(event, NetworkChange):
            changes = self._apply_one(event.data)
        else:
            return []
        for change in changes:
            for listener in list(self._listeners):
                listener(change)
        return changes

    def get(self, name: str) -> Optional[InterfaceReport]:
        """The cached report of interface `name`, if it is reported now."""
        return self._by_name.get(name)

    def all(self) -> List[InterfaceReport]:
        """Every reported interface, in kernel (ifindex) order."""
        return sorted(self._by_name.values(), key=lambda report: (report.index, report.interface))

    def interface_for(self, address: str) -> Optional[InterfaceReport]:
        """The interface whose subnet contains `address` (dotted-quad IPv4). The most specific
        prefix wins, ties go to the lower ifindex; a /32 (a point-to-point local address)
        matches only itself. None when no subnet holds it or `address` is not IPv4."""
        try:
            target = ipaddress.IPv4Address(address)
        except ValueError:
            return None
        best: Optional[Tuple[int, InterfaceReport]] = None
        for report in self.all():
            for entry in report.ipv4_addresses:
                network = ipaddress.IPv4Network(f"{entry.address}/{entry.prefixlen}", strict=False)
                if target in network and (best is None or entry.prefixlen > best[0]):
                    best = (entry.prefixlen, report)
        return None if best is None else best[1]

    def network_of(self, name: str) -> Optional[Tuple[str, Optional[str]]]:
        """(subnet, gateway) of interface `name`, e.g. ("192.168.1.0/24", "192.168.1.1"): the
        subnet of its first (primary) address and its default gateway (None when it has none).
        None when the interface is not reported now."""
        report = self._by_name.get(name)
        if report is None or not report.ipv4_addresses:
            return None
        return (report.ipv4_addresses[0].subnet, report.gateway)

    def on_change(self, listener: Listener) -> Callable[[], None]:
        """Calls `listener` on every change of any interface; returns the unsubscribe function."""
        self._listeners.append(listener)
        return lambda: self._remove(listener)

    def on_interface_change(self, name: str, listener: Listener) -> Callable[[], None]:
        """Calls `listener` when interface `name` is added, changes or is removed (the
        "parent interface changed" trigger); returns the unsubscribe function."""

        def only_this(change: InterfaceChange) -> None:
            if change.name == name:
                listener(change)

        return self.on_change(only_this)

    def _remove(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _apply_one(self, report: InterfaceReport) -> List[InterfaceChange]:
        name = report.interface
        before = self._by_name.get(name)
        if report.leaving:
            if before is None:
                return []
            del self._by_name[name]
            return [InterfaceChange(name, "removed", before, None, report)]
        self._by_name[name] = report
        if before is None:
            return [InterfaceChange(name, "added", None, report, report)]
        return [] if before.same_view(report) else [InterfaceChange(name, "changed", before, report, report)]

    def _replace_all(self, reports: Tuple[InterfaceReport, ...]) -> List[InterfaceChange]:
        listed: Set[str] = {report.interface for report in reports}
        changes = [InterfaceChange(name, "removed", before, None, None) for name, before in self._by_name.items() if name not in listed]
        for change in changes:
            del self._by_name[change.name]
        for report in reports:
            changes.extend(self._apply_one(report))
        return changes
