"""The package against the real netmon daemon, in a network namespace, through its real socket.

test/client/python-package.test.ts runs these after installing the package into a fresh
venv; it makes the namespace (ens37 UP with 10.77.0.5/24) and sets:
  NETMON_TEST_NETNS   the namespace's name
  NETMON_TEST_DAEMON  a JSON array: the command that runs netmon inside it
  NETMON_TEST_DIR     a private folder for sockets and daemon logs
Without them these tests skip (run alone, there is no daemon to talk to).
"""

import asyncio
import json
import os
import unittest
from typing import List, Optional

from netmon_client import (
    Change,
    Disconnected,
    Discovery,
    InterfaceCache,
    InterfaceChange,
    NetmonClient,
)

NETNS = os.environ.get("NETMON_TEST_NETNS", "")
DAEMON = json.loads(os.environ.get("NETMON_TEST_DAEMON", "[]"))
FOLDER = os.environ.get("NETMON_TEST_DIR", "")
WAIT = 30.0
FAST = {"initial_delay": 0.05, "max_delay": 0.5}


async def ip(*args: str, stdin: Optional[bytes] = None) -> str:
    """`ip -n NETNS ...`; raises with ip's message when it fails."""
    child = await asyncio.create_subprocess_exec(
        "ip", "-n", NETNS, *args, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await child.communicate(stdin)
    if child.returncode != 0:
        raise RuntimeError(f"ip -n {NETNS} {' '.join(args)}: {err.decode().strip()}")
    return out.decode()


class Daemon:
    """One netmon process in the namespace, its stderr (JSON logs) in a file."""

    count = 0

    def __init__(self, socket: str) -> None:
        Daemon.count += 1
        self.socket = socket
        self.log = os.path.join(FOLDER, f"daemon-{Daemon.count}.log")
        self.process: Optional[asyncio.subprocess.Process] = None

    async def start(self) -> "Daemon":
        with open(self.log, "ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                *DAEMON, "--socket", self.socket, "--debounce", "200", stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL, stderr=log
            )
        return self

    async def stop(self) -> Optional[int]:
        """SIGTERM, then the exit code (SIGKILL after 5 s)."""
        if self.process is None or self.process.returncode is not None:
            return None if self.process is None else self.process.returncode
        self.process.terminate()
        try:
            return await asyncio.wait_for(self.process.wait(), 5)
        except asyncio.TimeoutError:
            self.process.kill()
            return await self.process.wait()

    def warnings(self) -> List[str]:
        with open(self.log, encoding="utf-8") as log:
            return [entry["msg"] for entry in map(json.loads, log) if entry.get("level") == "warn"]


async def next_of(client: NetmonClient, kind: type, where=lambda event: True, timeout: float = WAIT):
    """The next event of type `kind` that satisfies `where`, skipping the others."""

    async def find():
        async for event in client:
            if isinstance(event, kind) and where(event):
                return event
        raise AssertionError(f"the stream ended before a {kind.__name__}")

    return await asyncio.wait_for(find(), timeout)


def addresses_of(cache: InterfaceCache, name: str) -> List[str]:
    report = cache.get(name)
    return [] if report is None else [f"{a.address}/{a.prefixlen}" for a in report.ipv4_addresses]


@unittest.skipUnless(NETNS and DAEMON and FOLDER, "no live daemon: run by test/client/python-package.test.ts")
class LiveDaemonTest(unittest.IsolatedAsyncioTestCase):
    async def asyncSetUp(self) -> None:
        self.daemons: List[Daemon] = []
        self.undo: List[List[str]] = []
        self.socket = os.path.join(FOLDER, f"{self._testMethodName[:40]}.sock")

    async def asyncTearDown(self) -> None:
        for daemon in self.daemons:
            await daemon.stop()
        for args in reversed(self.undo):
            await ip(*args)

    async def daemon(self) -> Daemon:
        daemon = Daemon(self.socket)
        self.daemons.append(daemon)
        return await daemon.start()

    async def test_discovery_change_cache_callbacks_and_commands(self) -> None:
        await self.daemon()
        cache = InterfaceCache()
        parent: List[InterfaceChange] = []
        cache.on_interface_change("ens37", parent.append)
        async with NetmonClient(self.socket, **FAST) as client:
            discovery = await next_of(client, Discovery)
            cache.apply(discovery)
            self.assertFalse(discovery.resync)
            self.assertEqual([r.interface for r in discovery.event.data.interfaces], ["ens37"])
            ens37 = discovery.event.data.interfaces[0]
            self.assertEqual((ens37.operstate, ens37.type, ens37.status), ("UP", "ethernet", None))
            self.assertEqual(cache.network_of("ens37"), ("10.77.0.0/24", None))
            self.assertEqual([c.kind for c in parent], ["added"])

            await ip("route", "add", "default", "via", "10.77.0.1", "dev", "ens37")
            self.undo.append(["route", "del", "default", "via", "10.77.0.1", "dev", "ens37"])
            cache.apply(await next_of(client, Change, lambda e: e.event.data.gateway == "10.77.0.1"))
            self.assertEqual(cache.network_of("ens37"), ("10.77.0.0/24", "10.77.0.1"))
            self.assertEqual([c.kind for c in parent], ["added", "changed"])

            self.assertIsNone(cache.interface_for("10.88.1.1"))
            await ip("addr", "add", "10.88.0.5/16", "dev", "ens37")
            self.undo.append(["addr", "del", "10.88.0.5/16", "dev", "ens37"])
            cache.apply(await next_of(client, Change, lambda e: len(e.event.data.ipv4_addresses) == 2))
            self.assertEqual(addresses_of(cache, "ens37"), ["10.77.0.5/24", "10.88.0.5/16"])
            self.assertEqual(getattr(cache.interface_for("10.88.1.1"), "interface", None), "ens37")
            self.assertEqual(parent[-1].before and [a.address for a in parent[-1].before.ipv4_addresses], ["10.77.0.5"])

            status = await client.request({"command": "get_status"})
            self.assertTrue(status["success"])
            self.assertTrue(status["status"]["ready"])
            interfaces = await client.request({"command": "get_interfaces"})
            self.assertEqual([r["interface"] for r in interfaces["interfaces"]], ["ens37"])
            for command in ("start_dhcp", "stop_dhcp", "request_wifi_dhcp"):
                reply = await client.request({"command": command, "interface": "ens37"})
                self.assertEqual(reply, {"success": False, "error": f"Unknown command: {command}"})

    async def test_reconnect_after_a_daemon_restart_resyncs_and_requests_wait(self) -> None:
        cache = InterfaceCache()
        parent: List[InterfaceChange] = []
        cache.on_interface_change("ens37", parent.append)
        async with NetmonClient(self.socket, **FAST) as client:
            early = asyncio.ensure_future(client.request({"command": "get_status"}, timeout=WAIT))
            daemon = await self.daemon()
            cache.apply(await next_of(client, Discovery))
            self.assertTrue((await early)["success"], "a request made before the daemon started is answered")

            self.assertEqual(await daemon.stop(), 0)
            await next_of(client, Disconnected)
            self.assertFalse(client.connected)
            await ip("addr", "add", "10.66.0.5/24", "dev", "ens37")
            self.undo.append(["addr", "del", "10.66.0.5/24", "dev", "ens37"])
            waiting = asyncio.ensure_future(client.request({"command": "get_interfaces"}, timeout=WAIT))
            await self.daemon()

            resync = await next_of(client, Discovery)
            self.assertTrue(resync.resync)
            changes = cache.apply(resync)
            self.assertEqual([c.kind for c in changes], ["changed"])
            self.assertEqual(addresses_of(cache, "ens37"), ["10.77.0.5/24", "10.66.0.5/24"])
            self.assertEqual([c.kind for c in parent], ["added", "changed"])
            reply = await waiting
            self.assertEqual(len(reply["interfaces"][0]["ipv4_addresses"]), 2)

    async def test_a_discovery_over_64_kib(self) -> None:
        # 700 addresses on ens37 make a discovery of about 75 KB (like ~300 interfaces).
        cidrs = [f"10.{200 + i // 250}.{i % 250}.1/24" for i in range(700)]
        await ip("-batch", "-", stdin="".join(f"addr add {cidr} dev ens37\n" for cidr in cidrs).encode())
        try:
            daemon = await self.daemon()
            async with NetmonClient(self.socket, **FAST) as client:
                discovery = await next_of(client, Discovery)
            self.assertEqual(len(discovery.event.data.interfaces[0].ipv4_addresses), 701)

            # What the reference agent does: asyncio's default 64 KiB line limit fails on it.
            reader, writer = await asyncio.open_unix_connection(self.socket)
            with self.assertRaisesRegex(ValueError, "limit"):
                await asyncio.wait_for(reader.readline(), WAIT)
            writer.close()
            reader, writer = await asyncio.open_unix_connection(self.socket, limit=1024 * 1024)
            line = await asyncio.wait_for(reader.readline(), WAIT)
            writer.close()
            self.assertGreater(len(line) - 1, 64 * 1024)

            over = [msg for msg in daemon.warnings() if "over 64 KiB" in msg]
            self.assertEqual(len(over), 1, f"one warning for three clients: {daemon.warnings()}")
            self.assertIn(f"the discovery line is {len(line) - 1} bytes", over[0])
        finally:
            await ip("-batch", "-", stdin="".join(f"addr del {cidr} dev ens37\n" for cidr in cidrs).encode())


if __name__ == "__main__":
    unittest.main()
