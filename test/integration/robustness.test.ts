import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import t, { type Test } from 'tap'
import { startDaemonProcess, type DaemonProcess } from '../helpers/daemon-process.js'
import { writeIpScript } from '../helpers/fake-ip.js'
import { createNamespace, type TestNamespace } from '../helpers/netns.js'
import { foldEvents, kernelView, seededRandom } from '../helpers/oracle.js'
import { cpuTicks, wakeups } from '../helpers/proc-stats.js'
import { assertProtocolLines } from '../helpers/protocol-schema.js'
import { connectClient, waitForSocket, type SocketClient } from '../helpers/socket-client.js'
import { sleep } from '../helpers/watched-namespace.js'

const INTERFACES = ['ens1', 'ens2', 'ens3', 'ens4']
const DAEMON_ARGS = ['--debounce', '200', '--max-wait', '1000']

const socketIn = (label: string): string => join(mkdtempSync(join(tmpdir(), `nm-${label}-`)), 'netmon.sock')

const status = async (client: SocketClient): Promise<Record<string, unknown> & { monitor: { pid: number } }> => {
  const seen = client.lines.lines.length
  client.send({ command: 'get_status' })
  const reply = await client.lines.waitFor((line) => line.startsWith('{"success"'), 10_000, seen)
  return (JSON.parse(reply) as { status: Record<string, unknown> & { monitor: { pid: number } } }).status
}

const eventLines = (client: SocketClient): string[] => client.lines.lines.filter((line) => line.startsWith('{"type"'))

/**
 * Waits until the kernel is stable, the daemon has nothing pending and the client heard
 * nothing new for a while; then the client's folded view must equal the kernel's.
 */
const expectSettled = async (t: Test, ns: TestNamespace, client: SocketClient, label: string): Promise<void> => {
  const giveUp = Date.now() + 30_000
  for (;;) {
    const before = { kernel: JSON.stringify(await kernelView(ns)), events: eventLines(client).length }
    await sleep(1500)
    const kernel = await kernelView(ns)
    const quiet = eventLines(client).length === before.events && JSON.stringify(kernel) === before.kernel
    if ((quiet && (await status(client)).pending_interfaces === 0) || Date.now() > giveUp) {
      t.same(foldEvents(eventLines(client)), kernel, `${label}: the client's view equals the kernel's`)
      assertProtocolLines(t, client.lines.lines)
      return
    }
  }
}

const addInterfaces = async (ns: TestNamespace): Promise<void> => {
  for (const [position, name] of INTERFACES.entries()) {
    await ns.addVeth(name)
    await ns.ip('addr', 'add', `10.77.${position}.5/24`, 'dev', name)
  }
}

/** One random operation on the interfaces; failures (e.g. deleting what is gone) are part of the game. */
const randomOperation = (random: () => number): string[][] => {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T
  const position = Math.floor(random() * INTERFACES.length)
  const name = INTERFACES[position] as string
  const host = 2 + Math.floor(random() * 8)
  const choices: string[][][] = [
    [['addr', 'add', `10.77.${position}.${host}/24`, 'dev', name]],
    [['addr', 'del', `10.77.${position}.${host}/24`, 'dev', name]],
    [['addr', 'add', `10.99.${position}.${host}`, 'peer', `10.99.${position}.1`, 'dev', name]],
    [['addr', 'flush', 'dev', name]],
    [['route', 'replace', 'default', 'via', `10.77.${position}.1`, 'dev', name, 'metric', String(pick([10, 20, 30])), 'onlink']],
    [['route', 'del', 'default', 'dev', name]],
    [['link', 'set', name, 'down']],
    [['link', 'set', name, 'up']],
    [
      ['link', 'del', name],
      ['link', 'add', `vr${position}${host}`, 'type', 'veth', 'peer', 'name', name],
      ['link', 'set', `vr${position}${host}`, 'up'],
      ['link', 'set', name, 'up'],
    ],
  ]
  return pick(choices)
}

const SEEDS = (process.env.NETMON_ORACLE_SEEDS ?? '1,2,3').split(',').map(Number)

for (const seed of SEEDS) {
  t.test(`oracle: random sequence, seed ${seed} (replay with NETMON_ORACLE_SEEDS=${seed})`, async (t) => {
    const ns = await createNamespace(t, `orc${seed}`)
    if (ns === undefined) return
    await addInterfaces(ns)
    const random = seededRandom(seed)
    const socket = socketIn(`orc${seed}`)
    const ops = Array.from({ length: 60 }, () => randomOperation(random))
    const apply = async (from: number, to: number): Promise<void> => {
      for (const op of ops.slice(from, to)) {
        for (const command of op) await execa('ip', ['-n', ns.name, ...command], { reject: false })
        if (random() < 0.5) await sleep(Math.floor(random() * 120))
      }
    }
    // The daemon starts in the middle of a burst.
    const burst = apply(0, 15)
    const daemon = startDaemonProcess(t, ns, ['--socket', socket, ...DAEMON_ARGS])
    await burst
    await waitForSocket(socket)
    const client = await connectClient(socket)
    t.teardown(() => client.close())
    await apply(15, 30)
    // kill -9 the ip monitor child: its restart must resync.
    const { monitor } = await status(client)
    process.kill(monitor.pid, 'SIGKILL')
    await apply(30, 45)
    // Other clients come and go meanwhile.
    const visitors = await Promise.all([connectClient(socket), connectClient(socket), connectClient(socket)])
    await apply(45, 60)
    visitors.forEach((visitor) => visitor.close())
    await expectSettled(t, ns, client, `seed ${seed}`)
    const late = await connectClient(socket)
    t.teardown(() => late.close())
    await late.lines.waitForCount(1)
    t.same(foldEvents(late.lines.lines), await kernelView(ns), `seed ${seed}: a late client's discovery equals the kernel's view`)
    t.match(await status(client), { monitor: { restarts: 1 } }, 'the killed monitor was restarted once')
    t.match(daemon.stderr.lines.join('\n'), /ip monitor exited; restarting/)
  })
}

t.test('a killed monitor is restarted at once and a change made meanwhile is reported', async (t) => {
  const ns = await createNamespace(t, 'kill')
  if (ns === undefined) return
  await addInterfaces(ns)
  const socket = socketIn('kill')
  startDaemonProcess(t, ns, ['--socket', socket, ...DAEMON_ARGS])
  await waitForSocket(socket)
  const client = await connectClient(socket)
  t.teardown(() => client.close())
  await client.lines.waitForCount(1)
  const first = (await status(client)).monitor.pid
  process.kill(first, 'SIGKILL')
  await ns.ip('addr', 'add', '10.77.0.77/24', 'dev', 'ens1')
  const change = await client.lines.waitFor((line) => line.includes('10.77.0.77'), 15_000)
  t.match(JSON.parse(change), { type: 'network_change', data: { interface: 'ens1' } })
  const after = await status(client)
  t.not(after.monitor.pid, first, 'a new child')
  t.match(after, { monitor: { restarts: 1 }, resyncs: 2 })
})

t.test('a real netlink overrun (tiny -rcvbuf) is noticed and the final state is still right', async (t) => {
  const ns = await createNamespace(t, 'ovr')
  if (ns === undefined) return
  await addInterfaces(ns)
  const dir = mkdtempSync(join(tmpdir(), 'nm-ovr-'))
  const wrapper = writeIpScript(dir, 'if [ "$1" = monitor ]; then exec ip -rcvbuf 2048 "$@"; fi\nexec ip "$@"')
  const socket = join(dir, 'netmon.sock')
  const daemon = startDaemonProcess(t, ns, ['--socket', socket, '--ip', wrapper, ...DAEMON_ARGS])
  await waitForSocket(socket)
  const client = await connectClient(socket)
  t.teardown(() => client.close())
  await client.lines.waitForCount(1)
  const batch = []
  for (let round = 0; round < 3; round += 1) {
    for (let host = 10; host < 250; host += 1) batch.push(`addr add 10.77.1.${host}/24 dev ens2`)
    for (let host = 10; host < 250; host += 1) if (round < 2 || host % 2 === 0) batch.push(`addr del 10.77.1.${host}/24 dev ens2`)
  }
  batch.push('route replace default via 10.77.0.1 dev ens1 metric 5 onlink')
  await execa('ip', ['-n', ns.name, '-batch', '-'], { input: `${batch.join('\n')}\n` })
  await expectSettled(t, ns, client, 'after the overrun')
  const after = await status(client)
  t.ok((after.monitor as unknown as { overruns: number }).overruns >= 1, `overruns counted: ${JSON.stringify(after.monitor)}`)
  t.match(daemon.stderr.lines.join('\n'), /netlink overrun/)
})

t.test('a storm is coalesced: one event per interface per window, snapshots grow with windows', async (t) => {
  const ns = await createNamespace(t, 'storm')
  if (ns === undefined) return
  await addInterfaces(ns)
  const socket = socketIn('storm')
  startDaemonProcess(t, ns, ['--socket', socket, '--debounce', '300', '--max-wait', '1000'])
  await waitForSocket(socket)
  const client = await connectClient(socket)
  t.teardown(() => client.close())
  await client.lines.waitForCount(1)
  const before = await status(client)
  const batch: string[] = []
  for (let round = 0; round < 4; round += 1) {
    for (const [position, name] of INTERFACES.entries()) {
      for (let host = 20; host < 220; host += 1) batch.push(`addr add 10.77.${position}.${host}/24 dev ${name}`)
      for (let host = 20; host < 220; host += 1) batch.push(`addr del 10.77.${position}.${host}/24 dev ${name}`)
      batch.push(`route replace default via 10.77.${position}.1 dev ${name} metric ${round} onlink`)
    }
  }
  const started = Date.now()
  await execa('ip', ['-n', ns.name, '-batch', '-'], { input: `${batch.join('\n')}\n` })
  const burstMs = Date.now() - started
  await expectSettled(t, ns, client, 'after the storm')
  const after = await status(client)
  const changes = eventLines(client).slice(1)
  const windowsAtMost = INTERFACES.length * (Math.ceil(burstMs / 1000) + 2)
  t.ok(changes.length <= windowsAtMost, `${changes.length} events for ${batch.length} operations in ${burstMs} ms (at most ${windowsAtMost})`)
  const snapshots = Number(after.snapshots_taken) - Number(before.snapshots_taken)
  t.ok(snapshots <= windowsAtMost + 2, `${snapshots} snapshots for ${batch.length} operations`)
})

t.test('a snapshot command that hangs is timed out and retried', async (t) => {
  const ns = await createNamespace(t, 'hang')
  if (ns === undefined) return
  await addInterfaces(ns)
  const dir = mkdtempSync(join(tmpdir(), 'nm-hang-'))
  const marker = join(dir, 'hung-once')
  const wrapper = writeIpScript(dir, `if [ "$2" = addr ] && [ ! -e ${marker} ]; then : > ${marker}; exec sleep 60; fi\nexec ip "$@"`)
  const socket = join(dir, 'netmon.sock')
  const daemon: DaemonProcess = startDaemonProcess(t, ns, ['--socket', socket, '--ip', wrapper, '--snapshot-timeout', '1000', ...DAEMON_ARGS])
  await waitForSocket(socket)
  const client = await connectClient(socket)
  t.teardown(() => client.close())
  t.match(JSON.parse((await client.lines.waitForCount(1, 15_000))[0] ?? ''), { type: 'network_discovery', data: { interfaces: [{}, {}, {}, {}] } })
  t.match(await status(client), { snapshots_failed: 1 })
  t.match(daemon.stderr.lines.join('\n'), /snapshot failed; retrying.*timed out/)
})

t.test('idle is idle: no CPU over 10 s without changes (wakeups are reported)', async (t) => {
  const ns = await createNamespace(t, 'idle')
  if (ns === undefined) return
  await addInterfaces(ns)
  const socket = socketIn('idle')
  const daemon = startDaemonProcess(t, ns, ['--socket', socket])
  await waitForSocket(socket)
  const client = await connectClient(socket)
  t.teardown(() => client.close())
  await client.lines.waitForCount(1)
  const monitorPid = (await status(client)).monitor.pid
  // V8's memory reducer runs a few GCs in the first ~20 s after start (not netmon's work).
  await sleep(20_000)
  const before = { daemon: cpuTicks(daemon.pid), monitor: cpuTicks(monitorPid), wakeups: wakeups(daemon.pid) }
  await sleep(10_000)
  const cpu = cpuTicks(daemon.pid) - before.daemon
  const monitorCpu = cpuTicks(monitorPid) - before.monitor
  const woke = wakeups(daemon.pid) - before.wakeups
  t.comment(`idle 10 s: daemon ${cpu} ticks, ip monitor ${monitorCpu} ticks, ${woke} voluntary context switches`)
  t.ok(cpu <= 2, `daemon CPU over 10 s idle: ${cpu} clock ticks (10 ms each)`)
  t.equal(monitorCpu, 0, 'ip monitor CPU')
})
