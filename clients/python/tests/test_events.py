"""parse_line: the protocol's lines to typed events; bad input to Malformed, never an exception."""

import json
import os
import random
import unittest

from netmon_client import (
    InterfaceReport,
    Ipv4Address,
    Malformed,
    NetworkChange,
    NetworkDiscovery,
    Reply,
    UnknownEvent,
    parse_line,
    report_to_json,
)

from .samples import TIMESTAMP, change_line, discovery_line, report

SEED = int(os.environ.get("NETMON_PY_SEED", "1302"))


class ParseLineTest(unittest.TestCase):
    def test_discovery_becomes_dataclasses_with_the_wire_field_names(self) -> None:
        parsed = parse_line(discovery_line(report("ens37", 2, ["192.168.1.50/24"], "192.168.1.1")))
        self.assertIsInstance(parsed, NetworkDiscovery)
        assert isinstance(parsed, NetworkDiscovery)
        self.assertEqual(parsed.type, "network_discovery")
        self.assertEqual(parsed.data.timestamp, TIMESTAMP)
        self.assertEqual(
            parsed.data.interfaces,
            (
                InterfaceReport(
                    interface="ens37",
                    index=2,
                    operstate="UP",
                    ipv4_addresses=(Ipv4Address("192.168.1.50", 24, "192.168.1.0/24", "192.168.1.0"),),
                    gateway="192.168.1.1",
                    timestamp=TIMESTAMP,
                    type="ethernet",
                ),
            ),
        )

    def test_the_reference_daemons_events_without_type_and_status_parse(self) -> None:
        seed_example = (
            '{"type": "network_change", "data": {"interface": "ens37", "index": 2, "operstate": "UP", '
            '"ipv4_addresses": [{"address": "10.0.0.50", "prefixlen": 24, "subnet": "10.0.0.0/24", '
            '"network_address": "10.0.0.0"}], "gateway": "10.0.0.1", "timestamp": "2025-11-20T20:35:12.789012"}}'
        )
        parsed = parse_line(seed_example)
        assert isinstance(parsed, NetworkChange)
        self.assertIsNone(parsed.data.type)
        self.assertIsNone(parsed.data.status)
        self.assertFalse(parsed.data.leaving)

    def test_a_change_with_status_is_leaving(self) -> None:
        parsed = parse_line(change_line(report("ens37", 2, [], None, operstate="NOTPRESENT", status="removed")))
        assert isinstance(parsed, NetworkChange)
        self.assertEqual(parsed.data.status, "removed")
        self.assertTrue(parsed.data.leaving)

    def test_unknown_fields_are_ignored(self) -> None:
        line = report("ens37", 2, ["10.0.0.5/24"], None, mtu=1500)
        line["ipv4_addresses"][0]["scope"] = "global"
        parsed = parse_line(change_line(line))
        self.assertIsInstance(parsed, NetworkChange)

    def test_replies_are_lines_without_type(self) -> None:
        self.assertEqual(parse_line('{"success":false,"error":"Unknown command: start_dhcp"}'), Reply({"success": False, "error": "Unknown command: start_dhcp"}))
        bad = parse_line('{"status":"ok"}')
        assert isinstance(bad, Malformed)
        self.assertTrue(bad.bad_reply)

    def test_an_unknown_type_is_passed_through(self) -> None:
        self.assertEqual(parse_line('{"type":"dhcp_update","data":{}}'), UnknownEvent("dhcp_update", {"type": "dhcp_update", "data": {}}))

    def test_bad_lines_name_what_is_wrong(self) -> None:
        cases = {
            "not json": "invalid JSON",
            "[1,2]": "not a JSON object",
            '{"type":7}': '"type" is not a string',
            '{"type":"network_discovery"}': "bad network_discovery: /data: missing",
            '{"type":"network_discovery","data":{"interfaces":{},"timestamp":"x"}}': "/data/interfaces: expected an array",
            change_line(report("ens37", -1, [])): "/data/index: expected an integer >= 0",
            change_line(report("ens37", True, [])): "/data/index: expected an integer",
            change_line(report("ens37", 2, [], "10.0.0.256")): "/data/gateway:",
            change_line(report("ens37", 2, [], None, timestamp="2025-11-20 20:30:45")): "/data/timestamp:",
            change_line(dict(report("", 2, []))): "/data/interface: expected a non-empty string",
            change_line({**report("e", 2, ["10.0.0.5/24"]), "ipv4_addresses": [{"address": "10.0.0.5", "prefixlen": 33, "subnet": "10.0.0.0/24", "network_address": "10.0.0.0"}]}): "/data/ipv4_addresses/0/prefixlen: expected an integer 0..32",
        }
        for line, reason in cases.items():
            with self.subTest(line=line):
                parsed = parse_line(line)
                assert isinstance(parsed, Malformed), parsed
                self.assertIn(reason, parsed.reason)
                self.assertEqual(parsed.line, line)


def _random_report(rng: random.Random, index: int) -> dict:
    cidrs = [f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}/{rng.randrange(8, 33)}" for _ in range(rng.randrange(0, 4))]
    gateway = rng.choice([None, f"10.0.0.{rng.randrange(1, 255)}"])
    extra = rng.choice([{}, {"status": "down", "operstate": "DOWN"}, {"type": "wifi"}, {"type": None}])
    return report(f"if{index}", index, cidrs, gateway, **extra)


def _mutate(rng: random.Random, value):
    """A random change somewhere in a JSON value: a field dropped, retyped or replaced."""
    if isinstance(value, dict) and value and rng.random() < 0.8:
        key = rng.choice(sorted(value))
        copy = dict(value)
        if rng.random() < 0.3:
            del copy[key]
        else:
            copy[key] = _mutate(rng, copy[key])
        return copy
    if isinstance(value, list) and value and rng.random() < 0.8:
        copy = list(value)
        position = rng.randrange(len(copy))
        copy[position] = _mutate(rng, copy[position])
        return copy
    return rng.choice([None, True, -1, 2**40, 1.5, "", "x", [], {}, "10.0.0.1", "NOTPRESENT"])


class ParseLinePropertyTest(unittest.TestCase):
    """Seeded random inputs (NETMON_PY_SEED, default 1302; printed on failure)."""

    def test_valid_reports_round_trip(self) -> None:
        rng = random.Random(SEED)
        for case in range(300):
            wire = _random_report(rng, case)
            parsed = parse_line(change_line(wire))
            with self.subTest(seed=SEED, case=case, wire=wire):
                assert isinstance(parsed, NetworkChange), parsed
                self.assertEqual(report_to_json(parsed.data), wire)

    def test_mutated_and_cut_lines_never_raise(self) -> None:
        rng = random.Random(SEED)
        for case in range(1000):
            line = discovery_line(*(_random_report(rng, i) for i in range(rng.randrange(0, 3))))
            if rng.random() < 0.5:
                line = json.dumps(_mutate(rng, json.loads(line)))
            if rng.random() < 0.2:
                line = line[: rng.randrange(len(line) + 1)]
            with self.subTest(seed=SEED, case=case, line=line):
                parsed = parse_line(line)
                self.assertIsInstance(parsed, (NetworkDiscovery, NetworkChange, UnknownEvent, Reply, Malformed))
                if isinstance(parsed, Malformed):
                    self.assertTrue(parsed.reason)


if __name__ == "__main__":
    unittest.main()
