import { chmodSync, existsSync, readdirSync, statSync, writeFileSync, mkdirSync } from 'node:fs'
import { createConnection } from 'node:net'
import { dirname, join } from 'node:path'
import { execa } from 'execa'
import t from 'tap'
import { startDaemonProcess, type DaemonProcess } from '../helpers/daemon-process.js'
import { ipWrapper } from '../helpers/fake-ip.js'
import { createNamespace, type Namespace } from '../helpers/netns.js'
import { assertProtocolLines } from '../helpers/protocol-schema.js'
import { served } from '../helpers/served-socket.js'
import { slow } from '../helpers/slow.js'
import { ask, parseLine, connectClient, waitForSocket } from '../helpers/socket-client.js'
import { statusWhen } from '../helpers/status.js'
import { tempDir } from '../helpers/temp-dir.js'
import { sleep, waitUntil } from '../helpers/wait.js'

// Attacks a local client can make on the daemon through its world-writable socket (issue 10).

/** The exit code, or undefined when the daemon still runs after `ms` (then it is stopped). */
const exitCodeWithin = async (daemon: DaemonProcess, ms: number): Promise<number | undefined> => {
  const running = Symbol('running')
  const code = await Promise.race([daemon.exited.then((result) => result.exitCode), sleep(ms).then(() => running)])
  if (code !== running) return code as number | undefined
  await daemon.stop(1000)
  return undefined
}

const nested = (depth: number, open: string, close: string): string => `{"command":${open.repeat(depth)}${close.repeat(depth)}}\n`

t.test('a deeply nested command gets a short reply and the daemon keeps serving', async (t) => {
  const s = await served(t, 'deep')
  if (s === undefined) return
  const [attacker, bystander] = [await s.connect(), await s.connect()]
  await Promise.all([attacker.lines.waitForCount(1), bystander.lines.waitForCount(1)])
  // 4,200 deep crashed the daemon (JSON.stringify of the echoed value); 30,000 is still under 64 KiB.
  for (const depth of [4200, 30_000]) {
    attacker.sendRaw(nested(depth, '[', ']'))
    t.same(parseLine((await attacker.lines.waitForCount(attacker.lines.lines.length + 1)).at(-1)), { success: false, error: 'Unknown command: (an array)' }, `${depth} deep`)
  }
  attacker.sendRaw(nested(10_000, '{"a":', '}').replace(/^\{"command":\{"a":/, '{"command":{"a":'))
  t.same(parseLine((await attacker.lines.waitForCount(4)).at(-1)), { success: false, error: 'Invalid JSON' }, 'an unbalanced object is just invalid')
  attacker.sendRaw(`{"command":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}\n`)
  t.same(parseLine((await attacker.lines.waitForCount(5)).at(-1)), { success: false, error: 'Unknown command: (an object)' })
  const longName = 'x'.repeat(10_000)
  t.same(await ask(attacker, { command: longName }), { success: false, error: `Unknown command: ${'x'.repeat(64)}...` }, 'a long name is cut')
  t.match(await ask(bystander, { command: 'get_status' }), { success: true, status: { clients_connected: 2 } }, 'the others are still served')
  t.match(await ask(attacker, { command: 'get_interfaces' }), { success: true })
  assertProtocolLines(t, [...attacker.lines.lines, ...bystander.lines.lines])
})

/** Six interfaces with 2,200 addresses each: a view of about 1.2 MB, over the 1 MiB backlog cap. */
const manyAddresses = async (ns: Namespace): Promise<void> => {
  const commands: string[] = []
  for (let k = 1; k <= 6; k += 1) {
    await ns.addVeth(`big${k}`, { up: false })
    for (let i = 0; i < 2200; i += 1) commands.push(`addr add 10.${80 + k}.${Math.floor(i / 250)}.${(i % 250) + 1}/16 dev big${k}`)
  }
  const batch = join(tempDir(t, 'bigb'), 'batch')
  writeFileSync(batch, `${commands.join('\n')}\n`)
  await ns.ip('-batch', batch)
  for (let k = 1; k <= 6; k += 1) await ns.ip('link', 'set', `big${k}`, 'up')
  for (const link of (await ns.ip('-o', 'link', 'show')).split('\n')) {
    const peer = /^\d+: (vp[^@:]+)/.exec(link)?.[1]
    if (peer !== undefined) await ns.ip('link', 'set', peer, 'up')
  }
  for (let k = 1; k <= 6; k += 1) await ns.waitOperUp(`big${k}`)
}

t.test('a view larger than the backlog cap reaches every client', async (t) => {
  const s = await served(t, 'big', [], manyAddresses)
  if (s === undefined) return
  const clients = [await s.connect(), await s.connect()]
  const discoveries = await Promise.all(clients.map((client) => client.lines.waitForCount(1, 30_000)))
  for (const [line] of discoveries) {
    t.ok((line ?? '').length > 1024 * 1024, `discovery of ${(line ?? '').length} bytes`)
    t.equal((parseLine(line) as { data: { interfaces: unknown[] } }).data.interfaces.length, 7)
  }
  const reply = await ask(clients[0]!, { command: 'get_interfaces' }, 30_000)
  t.equal((reply as { interfaces: unknown[] }).interfaces.length, 7, 'a reply over the cap is sent too')
  await s.ns.ip('addr', 'add', '10.77.0.9/24', 'dev', 'ens37')
  for (const client of clients) {
    t.match(parseLine(await client.lines.waitFor((line) => line.startsWith('{"type":"network_change"'), 30_000)), { data: { interface: 'ens37' } })
  }
  t.match(await ask(clients[1]!, { command: 'get_status' }, 30_000), { status: { clients_connected: 2 } }, 'nobody was cut off')
})

t.test('paths: a long --socket is refused before anything is made; a number is a file name', async (t) => {
  const ns = await createNamespace(t, 'path')
  if (ns === undefined) return
  const dir = tempDir(t, 'path')
  const folder = join(dir, 'f'.repeat(100 - dir.length))
  mkdirSync(folder)
  const long = join(folder, 'netmon-with-a-long-name.sock')
  writeFileSync(long, 'unrelated')
  chmodSync(long, 0o600)
  const refused = startDaemonProcess(t, ns, ['--socket', long])
  t.equal(await exitCodeWithin(refused, 10_000), 1)
  const errors = [...refused.stderr.lines]
  t.equal(errors.length, 1, 'one line')
  t.match(errors[0], /socket path .* is 1\d\d bytes; Unix sockets take at most 107/)
  t.same(readdirSync(folder), ['netmon-with-a-long-name.sock'], 'no socket at the truncated path')
  t.equal(statSync(long).mode & 0o777, 0o600, 'the unrelated file keeps its mode')

  const cwd = tempDir(t, 'num')
  writeFileSync(join(cwd, 'README'), '')
  const numeric = startDaemonProcess(t, ns, ['--socket', '47123'], [], { cwd })
  await waitForSocket(join(cwd, '47123')).catch(async (error: unknown) => {
    await numeric.stop(1000)
    throw error
  })
  t.ok(statSync(join(cwd, '47123')).isSocket(), '47123 is a socket file in the working folder, not a TCP port')
  const listening = await ns.exec('ss', ['-Htln'])
  t.notMatch(listening, /47123/, 'nothing listens on TCP 47123')
  const client = await connectClient(join(cwd, '47123'))
  t.match(parseLine((await client.lines.waitForCount(1))[0]), { type: 'network_discovery' })
  client.close()
  t.equal(await numeric.stop(), 0)
  t.notOk(existsSync(join(cwd, '47123')), 'removed on stop')
})

t.test('a client that shuts its writing side keeps hearing changes', async (t) => {
  const s = await served(t, 'half')
  if (s === undefined) return
  const node = await s.connect()
  await node.lines.waitForCount(1)
  node.send({ command: 'get_status' })
  node.socket.end()
  // As `nc -N` or `cmd < /dev/null` does: shut the writing side at once, then only read.
  const script = [
    'import json, socket, sys',
    's = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)',
    's.connect(sys.argv[1])',
    's.shutdown(socket.SHUT_WR)',
    'f = s.makefile("r")',
    'print(json.dumps([json.loads(f.readline())["type"] for _ in range(2)]), flush=True)',
  ].join('\n')
  const python = execa('python3', ['-c', script, s.socket], { timeout: 60_000 })
  t.match(parseLine((await node.lines.waitForCount(2))[1]), { success: true }, 'a command sent before the half-close is answered')
  const watcher = await s.connect()
  await watcher.lines.waitForCount(1)
  // Both half-closed clients are counted before the change is made.
  const counted = await statusWhen(watcher, (status) => (status.clients_connected as number) >= 3, 15_000, 50)
  if ((counted.clients_connected as number) < 3) throw new Error(`the daemon counts ${String(counted.clients_connected)} clients, not 3`)
  await s.ns.ip('addr', 'add', '10.77.0.8/24', 'dev', 'ens37')
  t.match(parseLine((await node.lines.waitForCount(3, 15_000))[2]), { type: 'network_change' }, 'the node client got the change')
  t.same(JSON.parse((await python).stdout), ['network_discovery', 'network_change'], 'the python client got the change')
  node.close()
  // Nothing tells the daemon that a half-closed peer went away until it writes to it.
  await s.ns.ip('addr', 'add', '10.77.0.9/24', 'dev', 'ens37')
  await watcher.lines.waitFor((line) => line.includes('10.77.0.9'), 15_000)
  const { clients_connected: count } = await statusWhen(watcher, (status) => status.clients_connected === 1, 10_000, 50)
  t.equal(count, 1, 'a half-closed client that hung up is dropped at the next event')
})

t.test('a full server makes room by dropping half-closed clients that are gone', async (t) => {
  const s = await served(t, 'room', ['--max-clients', '2'])
  if (s === undefined) return
  const stays = await s.connect()
  await stays.lines.waitForCount(1)
  // Half-closes, then (as a script that ends) hangs up for good without another byte.
  const python = ['import socket, sys', 's = socket.socket(socket.AF_UNIX)', 's.connect(sys.argv[1])', 's.shutdown(socket.SHUT_WR)', 's.makefile("r").readline()', 'import time; time.sleep(0.5)'].join('\n')
  await execa('python3', ['-c', python, s.socket], { timeout: 30_000 })
  const next = await s.connect()
  t.match(parseLine((await next.lines.waitForCount(1))[0]), { type: 'network_discovery' }, 'the newcomer is served, not refused')
})

/** A client that writes `get_interfaces` lines as fast as the daemon takes them and counts the replies. */
const flooder = async (socket: string): Promise<{ replies(): number; stop(): void }> => {
  const client = createConnection(socket)
  await new Promise((resolve) => client.once('connect', resolve))
  client.on('error', () => {})
  let replies = -1 // the discovery
  client.on('data', (chunk: Buffer) => {
    for (let at = chunk.indexOf(10); at >= 0; at = chunk.indexOf(10, at + 1)) replies += 1
  })
  const block = '{"command":"get_interfaces"}\n'.repeat(2340)
  let stopped = false
  const pump = (): void => {
    while (!stopped && client.write(block));
  }
  client.on('drain', pump)
  pump()
  return {
    replies: () => replies,
    stop: () => {
      stopped = true
      client.destroy()
    },
  }
}

t.test('a command flood is throttled per client; events still reach the others promptly', slow(), async (t) => {
  const s = await served(t, 'flood')
  if (s === undefined) return
  const healthy = await s.connect()
  await healthy.lines.waitForCount(1)
  const patient = await s.connect()
  await patient.lines.waitForCount(1)
  const floods = await Promise.all(Array.from({ length: 120 }, () => flooder(s.socket)))
  t.teardown(() => floods.forEach((flood) => flood.stop()))
  const flooding = Date.now()
  // A client past its budget still gets every reply, in order, only later.
  patient.sendRaw('{"command":"get_status"}\n{"command":"nope"}\n'.repeat(60))
  await sleep(2000)
  await s.ns.ip('addr', 'add', '10.77.0.7/24', 'dev', 'ens37')
  const changed = Date.now()
  await healthy.lines.waitFor((line) => line.startsWith('{"type":"network_change"'), 30_000)
  const delay = Date.now() - changed
  const seconds = (Date.now() - flooding) / 1000
  const most = Math.max(...floods.map((flood) => flood.replies()))
  t.ok(most <= 64 + 32 * seconds * 1.2 + 32, `the busiest flooder got ${most} replies in ${seconds.toFixed(1)} s (budget 64 + 32/s)`)
  t.ok(delay < 3000, `the change reached a quiet client ${delay} ms after it was made (debounce 200 ms)`)
  // The change is an event for the patient client too: it may arrive between two replies.
  const repliesOf = (lines: readonly string[]): string[] => lines.slice(1).filter((line) => !line.startsWith('{"type"'))
  await patient.lines.waitFor(() => repliesOf(patient.lines.lines).length >= 120, 30_000)
  const replies = repliesOf(patient.lines.lines).map(parseLine)
  t.equal(replies.length, 120, 'one reply per command, no more')
  t.ok(replies.every((reply, index) => (index % 2 === 0 ? reply.success === true : reply.error === 'Unknown command: nope')), '120 replies, in order')
})

t.test('SIGTERM at any moment of start-up leaves no socket file and no child', async (t) => {
  const ns = await createNamespace(t, 'term')
  if (ns === undefined) return
  const dir = tempDir(t, 'term')
  for (let trial = 0; trial < 16; trial += 1) {
    const socket = join(dir, `t${trial}.sock`)
    const daemon = startDaemonProcess(t, ns, ['--socket', socket])
    if (trial % 2 === 0) await daemon.stderr.waitFor((line) => line.includes('"listening"'), 30_000)
    else await sleep(Math.floor(Math.random() * 700))
    process.kill(daemon.pid, 'SIGTERM')
    await Promise.race([daemon.exited, sleep(30_000)])
    t.notOk(existsSync(socket), `trial ${trial}: no socket file left`)
    t.equal((await execa('ip', ['netns', 'pids', ns.name])).stdout.trim(), '', `trial ${trial}: nothing left running in the namespace`)
  }
})

t.test('SIGTERM while start-up is still checking ip is handled: exit 0, nothing left', async (t) => {
  const ns = await createNamespace(t, 'early')
  if (ns === undefined) return
  // The check (`ip -json link show`) says it has begun and takes two seconds: the signal
  // lands inside start-up, before the socket exists.
  const { wrapper, socket } = ipWrapper(t, 'early', (dir) => `if [ "$1 $2 $3" = "-json link show" ]; then touch ${dir}/checking; sleep 2; fi\nexec ip "$@"`)
  const daemon = startDaemonProcess(t, ns, ['--socket', socket, '--ip', wrapper])
  t.ok(await waitUntil(() => existsSync(join(dirname(socket), 'checking')), 30_000), 'start-up is checking ip')
  process.kill(daemon.pid, 'SIGTERM')
  const result = await Promise.race([daemon.exited, sleep(30_000).then(() => undefined)])
  t.equal(result?.exitCode, 0, 'stopped by its own handler, not killed by the signal')
  t.match(daemon.stderr.lines.join('\n'), /"stopping"/)
  t.notOk(existsSync(socket), 'no socket file left')
  t.equal((await execa('ip', ['netns', 'pids', ns.name])).stdout.trim(), '', 'nothing left running in the namespace')
})
