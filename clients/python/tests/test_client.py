"""NetmonClient against a scripted fake daemon on a real Unix socket: reconnect, resync,
requests, limits. The real daemon is in test_live.py."""

import asyncio
import json
import os
import shutil
import tempfile
import unittest
from typing import Awaitable, Callable, List

from netmon_client import (
    Change,
    Connected,
    Disconnected,
    Discovery,
    Malformed,
    NetmonClient,
    NetmonClientError,
    Retrying,
    UnknownEvent,
)

from .samples import change_line, discovery_line, report

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
FAST = {"initial_delay": 0.01, "max_delay": 0.05}


class FakeDaemon:
    """Serves `path`; connection number n runs handlers[n] (the last one repeats)."""

    def __init__(self, path: str, handlers: List[Handler]) -> None:
        self.path = path
        self.handlers = handlers
        self.connections = 0
        self.server: "asyncio.AbstractServer | None" = None

    async def start(self) -> None:
        self.server = await asyncio.start_unix_server(self._serve, path=self.path)

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()
            self.server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        handler = self.handlers[min(self.connections, len(self.handlers) - 1)]
        self.connections += 1
        try:
            await handler(reader, writer)
        finally:
            writer.close()


def send(writer: asyncio.StreamWriter, *lines: str) -> None:
    writer.write("".join(line + "\n" for line in lines).encode())


async def answer_commands(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Replies like the daemon: get_status works, anything else is unknown."""
    while True:
        line = await reader.readline()
        if not line:
            return
        command = json.loads(line)["command"]
        if command == "get_status":
            send(writer, json.dumps({"success": True, "status": {"ready": True}}))
        else:
            send(writer, json.dumps({"success": False, "error": f"Unknown command: {command}"}))


def serving(*interfaces: dict) -> Handler:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        send(writer, discovery_line(*interfaces))
        await answer_commands(reader, writer)

    return handler


async def next_of(client: NetmonClient, kind: type, timeout: float = 5.0):
    """The next event of type `kind`, skipping the others."""

    async def find():
        async for event in client:
            if isinstance(event, kind):
                return event
        raise AssertionError(f"the stream ended before a {kind.__name__}")

    return await asyncio.wait_for(find(), timeout)


class ClientTest(unittest.IsolatedAsyncioTestCase):
    async def asyncSetUp(self) -> None:
        self.dir = tempfile.mkdtemp(prefix="nm-pyclient-")
        self.path = os.path.join(self.dir, "netmon.sock")
        self.daemons: List[FakeDaemon] = []

    async def asyncTearDown(self) -> None:
        for daemon in self.daemons:
            await daemon.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    async def daemon(self, *handlers: Handler) -> FakeDaemon:
        daemon = FakeDaemon(self.path, list(handlers))
        await daemon.start()
        self.daemons.append(daemon)
        return daemon

    async def test_request_waits_for_the_socket_then_events_and_replies_flow(self) -> None:
        async with NetmonClient(self.path, **FAST) as client:
            reply = asyncio.ensure_future(client.request({"command": "get_status"}))
            retrying = await next_of(client, Retrying)
            self.assertEqual(retrying.error, "ENOENT")
            self.assertFalse(reply.done(), "the request waits while there is no socket")
            await self.daemon(serving(report("ens37", 2, ["10.0.0.5/24"])))
            self.assertIsInstance(await next_of(client, Connected), Connected)
            discovery = await next_of(client, Discovery)
            self.assertFalse(discovery.resync)
            self.assertEqual((await reply)["status"], {"ready": True})
            self.assertTrue(client.connected)

    async def test_replies_match_in_order_and_error_replies_are_returned(self) -> None:
        async def chatty(reader, writer):
            send(writer, discovery_line())
            await reader.readline()
            await reader.readline()
            send(writer, change_line(report("ens37", 2, ["10.0.0.5/24"])), '{"success":true,"status":{"n":1}}')
            send(writer, '{"type":"dhcp_update"}', '{"success":false,"error":"Unknown command: start_dhcp"}')
            await reader.read()

        await self.daemon(chatty)
        async with NetmonClient(self.path, **FAST) as client:
            first, second = await asyncio.gather(client.request({"command": "get_status"}), client.request({"command": "start_dhcp"}))
            self.assertEqual(first, {"success": True, "status": {"n": 1}})
            self.assertEqual(second, {"success": False, "error": "Unknown command: start_dhcp"})
            kinds = [type(await next_of(client, kind)).__name__ for kind in (Discovery, Change, UnknownEvent)]
            self.assertEqual(kinds, ["Discovery", "Change", "UnknownEvent"])

    async def test_a_restart_is_a_resync_and_a_request_in_flight_fails_with_err_disconnected(self) -> None:
        async def swallow_then_close(reader, writer):
            send(writer, discovery_line(report("ens37", 2, ["10.0.0.5/24"])))
            await reader.readline()

        daemon = await self.daemon(swallow_then_close, serving(report("ens37", 2, ["10.9.0.5/24"])))
        async with NetmonClient(self.path, **FAST) as client:
            self.assertFalse((await next_of(client, Discovery)).resync)
            with self.assertRaises(NetmonClientError) as raised:
                await client.request({"command": "get_status"})
            self.assertEqual(raised.exception.code, "ERR_DISCONNECTED")
            self.assertEqual((await next_of(client, Disconnected)).reason, "closed by the daemon")
            again = await next_of(client, Discovery)
            self.assertTrue(again.resync)
            self.assertEqual(again.event.data.interfaces[0].ipv4_addresses[0].address, "10.9.0.5")
            self.assertEqual((await client.request({"command": "get_status"}))["success"], True)
            self.assertEqual(daemon.connections, 2)

    async def test_a_timed_out_request_does_not_shift_the_replies_after_it(self) -> None:
        async def slow_first(reader, writer):
            send(writer, discovery_line())
            await reader.readline()
            await asyncio.sleep(0.3)
            send(writer, '{"success":true,"status":{"n":1}}')
            await reader.readline()
            send(writer, '{"success":true,"status":{"n":2}}')
            await reader.read()

        await self.daemon(slow_first)
        async with NetmonClient(self.path, **FAST) as client:
            with self.assertRaises(NetmonClientError) as raised:
                await client.request({"command": "get_status"}, timeout=0.1)
            self.assertEqual(raised.exception.code, "ERR_REQUEST_TIMEOUT")
            self.assertEqual(await client.request({"command": "get_status"}), {"success": True, "status": {"n": 2}})

    async def test_a_request_that_times_out_before_any_connection_is_never_sent(self) -> None:
        client = NetmonClient(self.path, **FAST).start()
        with self.assertRaises(NetmonClientError) as raised:
            await client.request({"command": "get_status"}, timeout=0.05)
        self.assertEqual(raised.exception.code, "ERR_REQUEST_TIMEOUT")
        self.assertEqual(client._outbox, [])
        await client.aclose()

    async def test_a_discovery_over_64_kib_is_read_with_the_default_limit(self) -> None:
        big = [report(f"eth{i}", i + 2, ["10.%d.%d.5/24" % (i // 256, i % 256)], "10.0.0.1") for i in range(400)]
        self.assertGreater(len(discovery_line(*big)), 64 * 1024)
        await self.daemon(serving(*big))
        async with NetmonClient(self.path, **FAST) as client:
            discovery = await next_of(client, Discovery)
            self.assertEqual(len(discovery.event.data.interfaces), 400)

    async def test_a_line_over_max_line_bytes_is_reported_and_the_client_reconnects(self) -> None:
        big = [report(f"eth{i}", i + 2, ["10.0.%d.5/24" % i]) for i in range(50)]
        await self.daemon(serving(*big), serving())
        async with NetmonClient(self.path, max_line_bytes=4096, **FAST) as client:
            malformed = await next_of(client, Malformed)
            self.assertIn("a line longer than 4096 bytes", malformed.reason)
            self.assertEqual((await next_of(client, Disconnected)).reason, "line too long")
            self.assertEqual((await next_of(client, Discovery)).event.data.interfaces, ())

    async def test_a_consumer_that_falls_behind_loses_nothing_but_memory(self) -> None:
        async def flood(reader, writer):
            send(writer, discovery_line(), *(change_line(report("ens37", 2, [f"10.0.0.{i}/24"])) for i in range(1, 51)))
            await reader.read()

        await self.daemon(flood, serving(report("ens37", 2, ["10.0.0.50/24"])))
        client = NetmonClient(self.path, max_queued_events=10, **FAST).start()
        await asyncio.sleep(0.5)
        self.assertLessEqual(len(client._queue), 12, "the queue stays bounded while nobody reads")
        disconnected = await next_of(client, Disconnected)
        self.assertIn("the consumer fell behind: more than 10 events unread", disconnected.reason)
        resync = await next_of(client, Discovery)
        self.assertTrue(resync.resync)
        self.assertEqual(resync.event.data.interfaces[0].ipv4_addresses[0].address, "10.0.0.50")
        await client.aclose()

    async def test_a_line_cut_by_the_daemon_is_malformed(self) -> None:
        async def cut(reader, writer):
            send(writer, discovery_line())
            writer.write(b'{"type":"network_change","da')

        await self.daemon(cut, serving())
        async with NetmonClient(self.path, **FAST) as client:
            malformed = await next_of(client, Malformed)
            self.assertEqual((malformed.line, malformed.reason), ('{"type":"network_change","da', "connection closed mid-line"))

    async def test_close_ends_the_iteration_and_fails_pending_requests(self) -> None:
        client = NetmonClient(self.path, **FAST).start()
        pending = asyncio.ensure_future(client.request({"command": "get_status"}))
        await next_of(client, Retrying)
        await client.aclose()
        with self.assertRaises(NetmonClientError) as raised:
            await pending
        self.assertEqual(raised.exception.code, "ERR_CLIENT_CLOSED")
        self.assertEqual([event async for event in client if not isinstance(event, Retrying)], [])
        with self.assertRaises(NetmonClientError):
            await client.request({"command": "get_status"})

    async def test_backoff_doubles_up_to_max_delay(self) -> None:
        async with NetmonClient(self.path, initial_delay=0.01, max_delay=0.04) as client:
            delays = [(await next_of(client, Retrying)).delay for _ in range(5)]
        self.assertEqual(delays, [0.01, 0.02, 0.04, 0.04, 0.04])

    async def test_a_command_must_be_a_dict_with_a_command(self) -> None:
        async with NetmonClient(self.path, **FAST) as client:
            with self.assertRaises(TypeError):
                await client.request("get_status")  # type: ignore[arg-type]


if __name__ == "__main__":
    unittest.main()
