import { chmodSync, existsSync, readdirSync, statSync, writeFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { startDaemonProcess, type DaemonProcess } from '../helpers/daemon-process.js'
import { sleep } from '../helpers/watched-namespace.js'
import { createNamespace, type TestNamespace } from '../helpers/netns.js'
import { assertProtocolLines } from '../helpers/protocol-schema.js'
import { ask, parseLine, served } from '../helpers/served-socket.js'
import { connectClient, waitForSocket } from '../helpers/socket-client.js'
import { tempDir } from '../helpers/temp-dir.js'

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
const manyAddresses = async (ns: TestNamespace): Promise<void> => {
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
