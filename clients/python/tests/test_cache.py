"""InterfaceCache: folding events, interface_for, network_of and the change callbacks."""

import unittest
from typing import List

from netmon_client import Change, Discovery, InterfaceCache, InterfaceChange, NetworkChange, NetworkDiscovery, parse_line

from .samples import change_line, discovery_line, report


def discovery(*reports: dict) -> Discovery:
    parsed = parse_line(discovery_line(*reports))
    assert isinstance(parsed, NetworkDiscovery)
    return Discovery(parsed, resync=False)


def change(data: dict) -> Change:
    parsed = parse_line(change_line(data))
    assert isinstance(parsed, NetworkChange)
    return Change(parsed)


class InterfaceCacheTest(unittest.TestCase):
    def setUp(self) -> None:
        self.cache = InterfaceCache()
        self.cache.apply(
            discovery(
                report("ens37", 2, ["192.168.1.50/24"], "192.168.1.1"),
                report("wg0", 9, ["10.9.0.2/32"]),
                report("ens38", 3, ["10.0.0.5/8", "10.1.2.3/16"], None),
            )
        )

    def test_all_is_in_ifindex_order(self) -> None:
        self.assertEqual([r.interface for r in self.cache.all()], ["ens37", "ens38", "wg0"])

    def test_interface_for_takes_the_longest_prefix_and_a_32_only_matches_itself(self) -> None:
        found = lambda address: getattr(self.cache.interface_for(address), "interface", None)  # noqa: E731
        self.assertEqual(found("192.168.1.77"), "ens37")
        self.assertEqual(found("10.1.9.9"), "ens38")
        self.assertEqual(found("10.9.0.2"), "wg0")
        self.assertEqual(found("10.9.0.3"), "ens38")
        self.assertIsNone(found("172.16.0.1"))
        self.assertIsNone(found("not an address"))
        self.assertIsNone(found("fe80::1"))

    def test_network_of_is_the_primary_subnet_and_the_gateway(self) -> None:
        self.assertEqual(self.cache.network_of("ens37"), ("192.168.1.0/24", "192.168.1.1"))
        self.assertEqual(self.cache.network_of("ens38"), ("10.0.0.0/8", None))
        self.assertIsNone(self.cache.network_of("eth9"))

    def test_changes_call_the_interfaces_callbacks_after_the_cache_is_updated(self) -> None:
        seen: List[InterfaceChange] = []
        seen_network = []
        unsubscribe = self.cache.on_interface_change("ens37", lambda c: (seen.append(c), seen_network.append(self.cache.network_of("ens37"))))
        everything: List[str] = []
        self.cache.on_change(lambda c: everything.append(f"{c.name} {c.kind}"))

        self.cache.apply(change(report("ens37", 2, ["10.5.0.7/24"], "10.5.0.1")))
        self.assertEqual([c.kind for c in seen], ["changed"])
        self.assertEqual(seen_network, [("10.5.0.0/24", "10.5.0.1")])
        self.assertEqual(seen[0].before.gateway if seen[0].before else None, "192.168.1.1")

        self.cache.apply(change(report("ens38", 3, ["10.0.0.5/8"])))
        self.assertEqual(len(seen), 1, "another interface's change does not call ens37's callback")

        self.cache.apply(change(report("ens37", 2, [], None, operstate="DOWN", status="down")))
        self.assertEqual([c.kind for c in seen], ["changed", "removed"])
        self.assertEqual(seen[1].cause.status if seen[1].cause else None, "down")
        self.assertIsNone(self.cache.get("ens37"))
        self.assertIsNone(self.cache.network_of("ens37"))

        self.cache.apply(change(report("ens37", 2, [], None, operstate="DOWN", status="down")))
        self.assertEqual(len(seen), 2, "a second removal of an absent interface is no change")

        unsubscribe()
        self.cache.apply(change(report("ens37", 2, ["10.5.0.7/24"])))
        self.assertEqual(len(seen), 2, "unsubscribed")
        self.assertEqual(everything, ["ens37 changed", "ens38 changed", "ens37 removed", "ens37 added"])

    def test_the_same_view_with_a_new_timestamp_is_no_change(self) -> None:
        again = report("ens37", 2, ["192.168.1.50/24"], "192.168.1.1", timestamp="2026-01-01T00:00:00.000001")
        self.assertEqual(self.cache.apply(change(again)), [])

    def test_a_discovery_replaces_everything(self) -> None:
        changes = self.cache.apply(discovery(report("ens37", 2, ["192.168.1.50/24"], "192.168.1.1"), report("eth5", 5, ["172.16.0.2/16"])))
        self.assertEqual(sorted(f"{c.name} {c.kind}" for c in changes), ["ens38 removed", "eth5 added", "wg0 removed"])
        self.assertEqual([r.interface for r in self.cache.all()], ["ens37", "eth5"])

    def test_other_events_are_ignored(self) -> None:
        self.assertEqual(self.cache.apply(parse_line("garbage")), [])
        self.assertEqual(self.cache.apply(object()), [])


if __name__ == "__main__":
    unittest.main()
