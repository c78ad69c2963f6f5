import { join } from 'node:path'
import t from 'tap'
import { activeResources, WITH_ACTIVE_RESOURCES } from '../helpers/active-resources.js'
import { startDaemonProcess, type DaemonProcess } from '../helpers/daemon-process.js'
import { ipWrapper } from '../helpers/fake-ip.js'
import { namespaceWithInterfaces, INTERFACES } from '../helpers/hosts.js'
import { cpuTicks, wakeups } from '../helpers/proc-stats.js'
import { DAEMON_ARGS, daemonWithClient } from '../helpers/served-socket.js'
import { expectSettled } from '../helpers/settled-daemon.js'
import { slow } from '../helpers/slow.js'
import { eventLines, connectClient, waitForSocket } from '../helpers/socket-client.js'
import { getStatus } from '../helpers/status.js'
import { socketPath } from '../helpers/temp-dir.js'
import { waitUntil, sleep } from '../helpers/wait.js'

t.test('a killed monitor is restarted at once and a change made meanwhile is reported', async (t) => {
  const ns = await namespaceWithInterfaces(t, 'kill')
  if (ns === undefined) return
  const socket = socketPath(t, 'kill')
  const { client } = await daemonWithClient(t, ns, socket, DAEMON_ARGS)
  const first = (await getStatus(client)).monitor.pid
  process.kill(first, 'SIGKILL')
  await ns.ip('addr', 'add', '10.77.0.77/24', 'dev', 'ens1')
  const change = await client.lines.waitFor((line) => line.includes('10.77.0.77'), 15_000)
  t.match(JSON.parse(change), { type: 'network_change', data: { interface: 'ens1' } })
  const after = await getStatus(client)
  t.not(after.monitor.pid, first, 'a new child')
  t.match(after, { monitor: { restarts: 1 }, resyncs: 2 })
})

t.test('a real netlink overrun (tiny -rcvbuf) is noticed and the final state is still right', async (t) => {
  const ns = await namespaceWithInterfaces(t, 'ovr')
  if (ns === undefined) return
  const { wrapper, socket } = ipWrapper(t, 'ovr', () => 'if [ "$1" = monitor ]; then exec ip -rcvbuf 2048 "$@"; fi\nexec ip "$@"')
  const { daemon, client } = await daemonWithClient(t, ns, socket, ['--ip', wrapper, ...DAEMON_ARGS])
  const batch = []
  for (let round = 0; round < 3; round += 1) {
    for (let host = 10; host < 250; host += 1) batch.push(`addr add 10.77.1.${host}/24 dev ens2`)
    for (let host = 10; host < 250; host += 1) if (round < 2 || host % 2 === 0) batch.push(`addr del 10.77.1.${host}/24 dev ens2`)
  }
  batch.push('route replace default via 10.77.0.1 dev ens1 metric 5 onlink')
  // A fast reader can keep up even with a 2 KiB buffer; a stopped one cannot. SIGSTOP the
  // monitor for the flood so the kernel really drops records (ENOBUFS) every time.
  const monitorPid = (await getStatus(client)).monitor.pid
  process.kill(monitorPid, 'SIGSTOP')
  try {
    await ns.batch(batch)
  } finally {
    process.kill(monitorPid, 'SIGCONT')
  }
  await expectSettled(t, ns, client, 'after the overrun')
  const after = await getStatus(client)
  t.ok((after.monitor as unknown as { overruns: number }).overruns >= 1, `overruns counted: ${JSON.stringify(after.monitor)}`)
  t.match(daemon.stderr.lines.join('\n'), /netlink overrun/)
})

t.test('a namespace half-made by `ip netns add` while the monitor starts is not a warning', async (t) => {
  const ns = await namespaceWithInterfaces(t, 'half')
  if (ns === undefined) return
  // The monitor gets a private /run/netns holding a plain file: what `ip netns add` leaves
  // for a moment before it mounts the namespace. The real `ip` then prints its error.
  const { wrapper, socket } = ipWrapper(t, 'half', () =>
    [
      'if [ "$1" = monitor ]; then',
      `  exec unshare --mount --propagation private sh -c 'mount -t tmpfs nm-half /run/netns && : > /run/netns/half-made && exec ip "$@"' ip "$@"`,
      'fi',
      'exec ip "$@"',
    ].join('\n'),
  )
  const { daemon, client } = await daemonWithClient(t, ns, socket, ['--ip', wrapper, '--log-level', 'debug', ...DAEMON_ARGS])
  await daemon.stderr.waitFor((line) => line.includes('Peer netns reference is invalid'), 10_000)
  await ns.ip('addr', 'add', '10.77.0.78/24', 'dev', 'ens1')
  const change = await client.lines.waitFor((line) => line.includes('10.77.0.78'), 15_000)
  t.match(JSON.parse(change), { type: 'network_change', data: { interface: 'ens1' } }, 'changes still arrive')
  const log = daemon.stderr.lines.join('\n')
  t.match(log, /"level":"debug","msg":"ip monitor could not name a network namespace/, 'logged at debug')
  t.notMatch(log, /"level":"(warn|error)"/, 'nothing to warn about')
})

t.test('a storm is coalesced: one event per interface per window, snapshots grow with windows', slow(), async (t) => {
  const ns = await namespaceWithInterfaces(t, 'storm')
  if (ns === undefined) return
  const socket = socketPath(t, 'storm')
  const { client } = await daemonWithClient(t, ns, socket, ['--debounce', '300', '--max-wait', '1000'])
  const before = await getStatus(client)
  const batch: string[] = []
  for (let round = 0; round < 4; round += 1) {
    for (const [position, name] of INTERFACES.entries()) {
      for (let host = 20; host < 220; host += 1) batch.push(`addr add 10.77.${position}.${host}/24 dev ${name}`)
      for (let host = 20; host < 220; host += 1) batch.push(`addr del 10.77.${position}.${host}/24 dev ${name}`)
      batch.push(`route replace default via 10.77.${position}.1 dev ${name} metric ${round} onlink`)
    }
  }
  const started = Date.now()
  await ns.batch(batch)
  const burstMs = Date.now() - started
  await expectSettled(t, ns, client, 'after the storm')
  const after = await getStatus(client)
  const changes = eventLines(client).slice(1)
  const windowsAtMost = INTERFACES.length * (Math.ceil(burstMs / 1000) + 2)
  t.ok(changes.length <= windowsAtMost, `${changes.length} events for ${batch.length} operations in ${burstMs} ms (at most ${windowsAtMost})`)
  const snapshots = Number(after.snapshots_taken) - Number(before.snapshots_taken)
  t.ok(snapshots <= windowsAtMost + 2, `${snapshots} snapshots for ${batch.length} operations`)
})

t.test('a snapshot command that hangs is timed out and retried', async (t) => {
  const ns = await namespaceWithInterfaces(t, 'hang')
  if (ns === undefined) return
  const { wrapper, socket } = ipWrapper(t, 'hang', (dir) => {
    const marker = join(dir, 'hung-once')
    return `if [ "$2" = addr ] && [ ! -e ${marker} ]; then : > ${marker}; exec sleep 60; fi\nexec ip "$@"`
  })
  const daemon: DaemonProcess = startDaemonProcess(t, ns, ['--socket', socket, '--ip', wrapper, '--snapshot-timeout', '1000', ...DAEMON_ARGS])
  await waitForSocket(socket)
  const client = await connectClient(socket)
  t.teardown(() => client.close())
  t.match(JSON.parse((await client.lines.waitForCount(1, 15_000))[0] ?? ''), { type: 'network_discovery', data: { interfaces: [{}, {}, {}, {}] } })
  t.match(await getStatus(client), { snapshots_failed: 1 })
  t.match(daemon.stderr.lines.join('\n'), /snapshot failed; retrying.*timed out/)
})

t.test('idle arms nothing: a debounce window is a timer, and once it has closed none is left', slow(), async (t) => {
  const ns = await namespaceWithInterfaces(t, 'armed')
  if (ns === undefined) return
  const socket = socketPath(t, 'armed')
  // A long window, so that it is surely still open when the daemon is asked, even under load.
  const { daemon, client } = await daemonWithClient(t, ns, socket, ['--debounce', '5000'], WITH_ACTIVE_RESOURCES)
  await ns.ip('addr', 'add', '10.77.0.79/24', 'dev', 'ens1')
  await waitUntil(async () => (await getStatus(client)).pending_interfaces === 1, 5000)
  const pending = await activeResources(daemon)
  t.ok(pending.includes('Timeout'), `a pending window shows as a timer: ${JSON.stringify(pending)}`)
  await client.lines.waitFor((line) => line.includes('10.77.0.79'), 15_000)
  await sleep(500)
  const idle = await activeResources(daemon)
  t.notOk(idle.includes('Timeout') || idle.includes('Immediate'), `no timer or immediate at idle: ${JSON.stringify(idle)}`)
  t.equal(idle.filter((resource) => resource === 'ProcessWrap').length, 1, `one child, ip monitor: ${JSON.stringify(idle)}`)
})

t.test('idle is idle: the event loop does not wake over 10 s without changes', slow(), async (t) => {
  const ns = await namespaceWithInterfaces(t, 'idle')
  if (ns === undefined) return
  const socket = socketPath(t, 'idle')
  const { daemon, client } = await daemonWithClient(t, ns, socket)
  const monitorPid = (await getStatus(client)).monitor.pid
  const read = () => ({
    loop: cpuTicks(daemon.pid, true),
    process: cpuTicks(daemon.pid),
    monitor: cpuTicks(monitorPid),
    wakeups: wakeups(daemon.pid),
  })
  // V8's memory reducer runs a few GCs after start-up (on the event loop thread too), later
  // on a loaded machine. netmon itself arms no timer at idle, so some 10 s window in the
  // first minute must be silent; a timer or a poll of netmon's would show in every one.
  await sleep(20_000)
  const windows: { loop: number; all: number; monitor: number; woke: number }[] = []
  for (let attempt = 0; attempt < 4; attempt += 1) {
    const before = read()
    await sleep(10_000)
    const after = read()
    const window = {
      loop: after.loop - before.loop,
      all: after.process - before.process,
      monitor: after.monitor - before.monitor,
      woke: after.wakeups - before.wakeups,
    }
    windows.push(window)
    t.comment(`idle 10 s: event loop ${window.loop} ticks and ${window.woke} wakeups; whole process ${window.all} ticks; ip monitor ${window.monitor} ticks`)
    if (window.loop <= 1 && window.woke <= 2 && window.monitor === 0) break
  }
  const quiet = windows.find((window) => window.loop <= 1 && window.woke <= 2 && window.monitor === 0)
  t.ok(quiet, `a 10 s window with no event-loop CPU, at most 2 wakeups and an idle ip monitor: ${JSON.stringify(windows)}`)
})
