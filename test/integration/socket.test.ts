import { execFile } from 'node:child_process'
import { statSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { NETMON_BIN, startDaemonProcess } from '../helpers/daemon-process.js'
import { createNamespace, type Namespace } from '../helpers/netns.js'
import { assertProtocolLines } from '../helpers/protocol-schema.js'
import { daemonWithClient, served } from '../helpers/served-socket.js'
import { connectClient, waitForSocket, type SocketClient, ask, parseLine } from '../helpers/socket-client.js'
import { getStatus as daemonStatus, statusWhen } from '../helpers/status.js'
import { tempDir } from '../helpers/temp-dir.js'
import { sleep } from '../helpers/wait.js'

const run = promisify(execFile)

const parse = parseLine

/** Polls get_status on `client` until the daemon counts `count` clients. */
const connectedCount = async (client: SocketClient, count: number): Promise<void> => {
  const status = await statusWhen(client, (candidate) => candidate.clients_connected === count)
  if (status.clients_connected !== count) throw new Error(`the daemon counts ${String(status.clients_connected)} clients, not ${count}`)
}

const churn = async (ns: Namespace, last: number): Promise<void> => {
  await ns.ip('addr', 'add', `10.77.0.${last}/24`, 'dev', 'ens37')
}

t.test('discovery first, then changes fanned out to 50 clients in order', async (t) => {
  const s = await served(t, 'fan')
  if (s === undefined) return
  t.equal(statSync(s.socket).mode & 0o777, 0o666, 'mode 0666, parent folder created')
  const clients = await Promise.all(Array.from({ length: 50 }, () => s.connect()))
  const discoveries = await Promise.all(clients.map((client) => client.lines.waitForCount(1)))
  for (const [line] of discoveries) t.match(parse(line), { type: 'network_discovery', data: { interfaces: [{ interface: 'ens37' }] } })
  await churn(s.ns, 6)
  const changes = await Promise.all(clients.map((client) => client.lines.waitForCount(2)))
  const unique = new Set(changes.map(([, line]) => line))
  t.equal(unique.size, 1, 'every client got the same change line')
  t.match(parse([...unique][0]), { type: 'network_change', data: { interface: 'ens37', ipv4_addresses: [{}, { address: '10.77.0.6' }] } })
  const status = await ask(clients[0] as SocketClient, { command: 'get_status' })
  t.match(status, { success: true, status: { clients_connected: 50, snapshots_taken: 2 } }, '50 connections took no extra snapshot')
  assertProtocolLines(t, clients.flatMap((client) => client.lines.lines))
})

t.test('commands: every reply is one line without "type"', async (t) => {
  const s = await served(t, 'cmd')
  if (s === undefined) return
  const client = await s.connect()
  await client.lines.waitForCount(1)
  const status = await ask(client, { command: 'get_status' })
  t.match(status, {
    success: true,
    status: {
      version: String,
      uptime_seconds: Number,
      monitor: { pid: Number, restarts: 0, overruns: 0 },
      snapshots_taken: Number,
      last_snapshot_time: String,
      resyncs: 1,
      clients_connected: 1,
      pending_interfaces: 0,
    },
  })
  t.match(await ask(client, { command: 'get_interfaces' }), { success: true, interfaces: [{ interface: 'ens37', index: Number }] })
  t.same(await ask(client, { command: 'dhcp_renew', interface: 'ens37' }), { success: false, error: 'Unknown command: dhcp_renew' })
  client.sendRaw('this is not json\n')
  t.same(parse((await client.lines.waitForCount(5))[4]), { success: false, error: 'Invalid JSON' })
  client.sendRaw('{"command":"get_status"}\n{"command":"nope"}\n"a string"\n\n')
  const [a, b, c] = (await client.lines.waitForCount(8)).slice(5).map(parse)
  t.match([a, b, c], [{ success: true }, { error: 'Unknown command: nope' }, { error: 'Invalid JSON' }], 'pipelined, in order')
  for (const line of client.lines.lines.slice(1)) t.notOk('type' in parse(line), 'replies carry no type')
  assertProtocolLines(t, client.lines.lines)
})

t.test('the Python agent client: discovery, then a reply (python3 -c)', async (t) => {
  const s = await served(t, 'py')
  if (s === undefined) return
  const script = [
    'import json, socket, sys',
    's = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)',
    's.connect(sys.argv[1])',
    'f = s.makefile("r")',
    'first = json.loads(f.readline())',
    's.sendall(b\'{"command":"get_interfaces"}\\n\')',
    'reply = json.loads(f.readline())',
    'print(json.dumps({"first": first["type"], "names": [i["interface"] for i in reply["interfaces"]], "reply_has_type": "type" in reply}))',
  ].join('\n')
  const { stdout } = await run('python3', ['-c', script, s.socket], { timeout: 10_000 })
  t.same(JSON.parse(stdout), { first: 'network_discovery', names: ['ens37'], reply_has_type: false })
})

t.test('limits: a client past --max-clients is refused and closed; room again when one leaves', async (t) => {
  const s = await served(t, 'limc', ['--max-clients', '3'])
  if (s === undefined) return
  const a = await s.connect()
  await a.lines.waitForCount(1)
  // waitForSocket's probe counts as a client until the daemon has seen it hang up.
  await connectedCount(a, 1)
  const [b, c] = [await s.connect(), await s.connect()]
  for (const client of [a, b, c]) t.match(parse((await client.lines.waitForCount(1))[0]), { type: 'network_discovery' })
  const extra = await s.connect()
  t.same(parse((await extra.lines.waitForCount(1))[0]), { success: false, error: 'Too many clients' })
  await extra.closedWithin()
  const pushy = await s.connect()
  pushy.sendRaw('z'.repeat(4 * 1024 * 1024))
  t.same(parse((await pushy.lines.waitForCount(1))[0]), { success: false, error: 'Too many clients' })
  await pushy.closedWithin()
  t.pass('a refused client that keeps writing is closed')
  a.close()
  await connectedCount(c, 2)
  const again = await s.connect()
  t.match(parse((await again.lines.waitForCount(1))[0]), { type: 'network_discovery' }, 'room again after one left')
  t.match(await ask(c, { command: 'get_status' }), { status: { clients_connected: 3 } })
  assertProtocolLines(t, [a, b, c, extra, pushy, again].flatMap((client) => client.lines.lines))
})

t.test('limits: a line past the limit gets "Line too long" and a close, with or without its newline', async (t) => {
  const s = await served(t, 'liml')
  if (s === undefined) return
  const [a, b, bystander] = [await s.connect(), await s.connect(), await s.connect()]
  for (const client of [a, b, bystander]) await client.lines.waitForCount(1)
  a.sendRaw(`{"command":"${'x'.repeat(70 * 1024)}"}\n`)
  t.match(parse((await a.lines.waitForCount(2))[1]), { success: false, error: /Line too long/ })
  await a.closedWithin()
  // More than the socket buffers hold, without a newline: the client is still mid-write
  // when the daemon refuses it, and must still be closed, not left half-open.
  b.sendRaw('x'.repeat(4 * 1024 * 1024))
  t.match(parse((await b.lines.waitForCount(2))[1]), { success: false, error: /Line too long/ }, 'even without a newline')
  await b.closedWithin()
  const crowd = await Promise.all([s.connect(), s.connect()])
  for (const refused of crowd) refused.sendRaw('y'.repeat(4 * 1024 * 1024))
  await Promise.all(crowd.map((refused) => refused.closedWithin()))
  t.pass('clients still writing a line past the limit are closed too')
  t.match(await ask(bystander, { command: 'get_status' }), { success: true }, 'the others are still served')
  assertProtocolLines(t, [a, b, bystander, ...crowd].flatMap((client) => client.lines.lines))
})

t.test('a client that never reads is cut off at its backlog cap; the others are not delayed', async (t) => {
  // 300 addresses make each get_interfaces reply about 27 KB, so that the replies the
  // command budget lets through at once (64) pass 1 MiB.
  const s = await served(t, 'slow', [], async (ns) => {
    for (let i = 0; i < 300; i += 1) await ns.ip('addr', 'add', `10.78.${Math.floor(i / 250)}.${(i % 250) + 1}/16`, 'dev', 'ens37')
  })
  if (s === undefined) return
  const stuck = await s.connect()
  stuck.socket.pause()
  const healthy = await s.connect()
  await healthy.lines.waitForCount(1)
  // Commands whose replies it never reads push its backlog past 1 MiB.
  stuck.sendRaw('{"command":"get_interfaces"}\n'.repeat(200))
  await churn(s.ns, 7)
  const started = Date.now()
  t.match(parse((await healthy.lines.waitForCount(2))[1]), { type: 'network_change' })
  t.ok(Date.now() - started < 5000, 'the healthy client got its change')
  await s.daemon.stderr.waitFor((line) => line.includes('client stopped reading'))
  t.match(await ask(healthy, { command: 'get_status' }), { status: { clients_connected: 1 } }, 'the stuck client is gone')
  stuck.socket.resume()
  await stuck.closedWithin()
  t.pass('what reached the stuck client ends in a close, not a hang')
})

/** A socket file whose owner died without unlinking it, as after a crash. */
const staleSocket = async (path: string): Promise<void> => {
  await run('python3', ['-c', 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])', path])
}

t.test('lifecycle: a stale socket file is replaced; a second instance is refused while the first serves', async (t) => {
  const ns = await createNamespace(t, 'lifs')
  if (ns === undefined) return
  const socket = join(tempDir(t, 'lifs'), 'netmon.sock')
  await staleSocket(socket)
  t.ok(statSync(socket).isSocket(), 'a stale socket file exists')
  startDaemonProcess(t, ns, ['--socket', socket])
  await waitForSocket(socket)
  const second = startDaemonProcess(t, ns, ['--socket', socket])
  t.not((await second.exited).exitCode, 0, 'the second instance exits non-zero')
  t.match(second.stderr.lines.join('\n'), /another netmon holds .*netmon\.sock\.lock/)
  const client = await connectClient(socket)
  t.match(parse((await client.lines.waitForCount(1))[0]), { type: 'network_discovery' }, 'the first one still serves')
  client.close()
})

t.test('lifecycle: SIGTERM exits 0 at once, closes clients, removes the socket and stops ip monitor', async (t) => {
  const ns = await createNamespace(t, 'lift')
  if (ns === undefined) return
  const socket = join(tempDir(t, 'lift'), 'netmon.sock')
  // SIGHUP resyncs and does not stop netmon: sighup.test.ts.
  const { daemon, client } = await daemonWithClient(t, ns, socket)
  const monitorPid = (await daemonStatus(client)).monitor.pid
  const stopping = Date.now()
  t.equal(await daemon.stop(5000), 0, 'exit 0 on SIGTERM')
  t.ok(Date.now() - stopping < 1500, `stopped in ${Date.now() - stopping} ms`)
  await client.closedWithin()
  t.notOk(existsSync(socket), 'socket file removed')
  t.throws(() => process.kill(monitorPid, 0), { code: 'ESRCH' }, 'ip monitor stopped with it')
})

t.test('lifecycle: SIGINT exits 0 and removes the socket; --socket-mode tightens its mode', async (t) => {
  const ns = await createNamespace(t, 'lifi')
  if (ns === undefined) return
  const socket = join(tempDir(t, 'lifi'), 'netmon.sock')
  const interrupted = startDaemonProcess(t, ns, ['--socket', socket, '--socket-mode', '0660'])
  await waitForSocket(socket)
  t.equal(statSync(socket).mode & 0o777, 0o660, '--socket-mode tightens it')
  interrupted.exited.kill('SIGINT')
  t.equal((await interrupted.exited).exitCode, 0, 'exit 0 on SIGINT')
  t.notOk(existsSync(socket), 'socket file removed')
})

t.test('health: 0 against a live daemon, 1 for a stale file or no socket', async (t) => {
  const s = await served(t, 'hlth')
  if (s === undefined) return
  const health = (socket: string) =>
    run(process.execPath, [NETMON_BIN, 'health', '--socket', socket, '--timeout', '3000']).then(
      ({ stdout }) => ({ code: 0, out: stdout }),
      (error: { code: number; stderr: string }) => ({ code: error.code, out: error.stderr }),
    )
  t.match(await health(s.socket), { code: 0, out: /healthy/ })
  const dir = tempDir(t, 'hlth2')
  t.match(await health(join(dir, 'missing.sock')), { code: 1, out: /unhealthy: no socket at/ })
  const stale = join(dir, 'stale.sock')
  await run('python3', ['-c', 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])', stale])
  t.match(await health(stale), { code: 1, out: /unhealthy: nothing answers/ })
  t.equal((await health(s.socket)).out.split('\n').filter(Boolean).length, 1, 'one line')
})

t.test('an unwritable socket path and a missing ip are one-line errors at start', async (t) => {
  const ns = await createNamespace(t, 'bad')
  if (ns === undefined) return
  const blocked = startDaemonProcess(t, ns, ['--socket', '/proc/netmon-test/netmon.sock'])
  t.not((await blocked.exited).exitCode, 0)
  t.match(blocked.stderr.lines.join('\n'), /cannot create the folder of \/proc\/netmon-test\/netmon\.sock/)
  const noIp = startDaemonProcess(t, ns, ['--no-socket', '--stdout', '--ip', '/nonexistent/ip'])
  t.not((await noIp.exited).exitCode, 0)
  t.equal(noIp.stderr.lines.length, 1, 'one line')
  t.match(noIp.stderr.lines[0], /cannot run \/nonexistent\/ip \(ENOENT\): install iproute2 or pass --ip/)
  await sleep(10)
})
