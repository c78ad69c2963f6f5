import { existsSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import t from 'tap'
import type { Launcher } from '../src/adapters/die-with-parent.js'
import type { MonitorCallbacks, MonitorStats } from '../src/adapters/ip-monitor.js'
import { silentLogger } from '../src/adapters/logger.js'
import { INTERNAL_ERROR } from '../src/core/commands.js'
import { DEFAULT_CORE_OPTIONS } from '../src/core/state.js'
import type { DaemonDeps } from '../src/daemon.js'
import { startSidecar, type SidecarOptions } from '../src/sidecar.js'
import { createFakeClock } from './helpers/fake-clock.js'
import { connectClient } from './helpers/socket-client.js'
import { waitUntil } from './helpers/wait.js'
import { socketPath } from './helpers/temp-dir.js'

const PLAIN: Launcher = { kind: 'plain', reason: 'unused: the monitor is scripted' }

const sidecarOptions = (path: string, checks: Promise<Launcher> = Promise.resolve(PLAIN)): SidecarOptions => ({
  daemon: { core: DEFAULT_CORE_OPTIONS, ipPath: 'ip', snapshotTimeoutMs: 1000, subscribeTimeoutMs: 1000, maxBackoffMs: 5000 },
  checks,
  version: '0.0.0-test',
  socket: { path, mode: 0o600, maxClients: 4 },
})

/** Whether this process holds the lock file of `path` (its note says our pid). */
const lockNoteIsOurs = (path: string): boolean => existsSync(`${path}.lock`) && readFileSync(`${path}.lock`, 'utf8') === `${process.pid}\n`

const ens37 = (cidr: string) => [
  { ifindex: 2, ifname: 'ens37', operstate: 'UP', flags: ['UP', 'LOWER_UP'], addr_info: [{ family: 'inet', local: cidr.split('/')[0], prefixlen: Number(cidr.split('/')[1]) }] },
]

/** Daemon deps over a scripted monitor and kernel (ens37 with `truth.cidr`); `stats` is what the monitor reports. */
const fakeDeps = (stats: () => MonitorStats = () => ({ pid: 42, restarts: 0, overruns: 0, lastRecordAt: null })) => {
  const monitor: { callbacks?: MonitorCallbacks; stops: number } = { stops: 0 }
  const truth = { cidr: '10.0.0.5/24' }
  const clock = createFakeClock()
  const deps: DaemonDeps = {
    clock,
    logger: silentLogger,
    readSnapshot: async () => ({ addr: ens37(truth.cidr), route: [], wireless: [] }),
    startMonitor: (callbacks) => {
      monitor.callbacks = callbacks
      return {
        stats,
        stop: async () => {
          monitor.stops += 1
        },
      }
    },
  }
  return { deps, monitor, truth, clock }
}

t.test('a socket path that cannot be served: no monitor is started, the error thrown, the path free again', async (t) => {
  const path = socketPath(t, 'sidecar')
  writeFileSync(path, 'not a socket')
  const { deps, monitor } = fakeDeps()
  await t.rejects(startSidecar(sidecarOptions(path), silentLogger, {}, deps), { code: 'ERR_SOCKET_PATH', message: /exists and is not a socket/ })
  t.equal(monitor.callbacks, undefined, 'the monitor was never started')
  unlinkSync(path)
  const next = await startSidecar(sidecarOptions(path), silentLogger, {}, fakeDeps().deps)
  t.pass('the next one claims and serves the path')
  await next.stop()
})

t.test('the socket listens before ip monitor is spawned', async (t) => {
  const path = socketPath(t, 'sidecar')
  const { deps, monitor } = fakeDeps()
  let listeningAtSpawn = false
  const startMonitor = deps.startMonitor
  deps.startMonitor = (callbacks) => {
    listeningAtSpawn = existsSync(path) && statSync(path).isSocket()
    return startMonitor(callbacks)
  }
  const sidecar = await startSidecar(sidecarOptions(path), silentLogger, {}, deps)
  t.teardown(() => sidecar.stop())
  t.ok(listeningAtSpawn, 'the socket file was in place when the monitor was spawned')
  t.not(monitor.callbacks, undefined, 'and the monitor is started before startSidecar resolves')
})

t.test('the start-up checks run while the lock is taken; the daemon starts once both are in', async (t) => {
  const path = socketPath(t, 'sidecar')
  const { deps, monitor } = fakeDeps()
  const checks = waitUntil(() => lockNoteIsOurs(path), 10_000, 2).then((locked) => {
    t.ok(locked, 'the lock was taken while the checks were still running')
    t.equal(monitor.callbacks, undefined, 'no monitor before the checks are in')
    return PLAIN
  })
  const sidecar = await startSidecar(sidecarOptions(path, checks), silentLogger, {}, deps)
  t.teardown(() => sidecar.stop())
  t.not(monitor.callbacks, undefined, 'then the monitor starts')
})

t.test('failed start-up checks: their error is thrown, nothing is started, the lock is released', async (t) => {
  const path = socketPath(t, 'sidecar')
  const { deps, monitor } = fakeDeps()
  const noIp = Object.assign(new Error('cannot run /nonexistent/ip (ENOENT)'), { code: 'ERR_IP_NOT_FOUND' })
  await t.rejects(startSidecar(sidecarOptions(path, Promise.reject(noIp)), silentLogger, {}, deps), noIp)
  t.equal(monitor.callbacks, undefined, 'no monitor was started')
  t.notOk(existsSync(path), 'no socket')
  const next = await startSidecar(sidecarOptions(path), silentLogger, {}, fakeDeps().deps)
  t.pass('the next one takes the lock and serves the path')
  await next.stop()
})

t.test('the path held by another netmon, with the checks failing too: the checks error is the one thrown, every time', async (t) => {
  const path = socketPath(t, 'sidecar')
  const holder = await startSidecar(sidecarOptions(path), silentLogger, {}, fakeDeps().deps)
  t.teardown(() => holder.stop())
  const { deps, monitor } = fakeDeps()
  await t.rejects(startSidecar(sidecarOptions(path), silentLogger, {}, deps), { code: 'ERR_SOCKET_IN_USE' }, 'checks fine: the path is the error')
  const noIp = Object.assign(new Error('cannot run /nonexistent/ip (ENOENT)'), { code: 'ERR_IP_NOT_FOUND' })
  await t.rejects(startSidecar(sidecarOptions(path, Promise.reject(noIp)), silentLogger, {}, deps), noIp, 'both fail: the checks win')
  await t.rejects(startSidecar(sidecarOptions(path, new Promise((_, reject) => setTimeout(() => reject(noIp), 100))), silentLogger, {}, deps), noIp, 'even when they fail last')
  t.equal(monitor.callbacks, undefined, 'no monitor was started')
})

t.test('a client that connects early is greeted once the first snapshot is in; a command whose reply fails gets the internal-error line and is closed', async (t) => {
  const path = socketPath(t, 'sidecar')
  const { deps, monitor } = fakeDeps(() => {
    throw new Error('the monitor cannot say')
  })
  const sidecar = await startSidecar(sidecarOptions(path), silentLogger, {}, deps)
  t.teardown(() => sidecar.stop())
  const client = await connectClient(path)
  t.teardown(() => client.close())
  await new Promise((resolve) => setTimeout(resolve, 50))
  t.same(client.lines.lines, [], 'not greeted before the first snapshot')
  monitor.callbacks?.onSubscribed('startup')
  await sidecar.ready
  t.match(JSON.parse((await client.lines.waitForCount(1))[0] ?? 'null'), { type: 'network_discovery' }, 'greeted once it is in')
  client.send({ command: 'get_status' })
  t.same(JSON.parse((await client.lines.waitForCount(2))[1] ?? 'null'), INTERNAL_ERROR)
  await client.closedWithin()
})

t.test('without a socket (--no-socket --stdout): the discovery and every change, resync included, go to writeOut', async (t) => {
  const { deps, monitor, truth, clock } = fakeDeps()
  const out: string[] = []
  const sidecar = await startSidecar({ ...sidecarOptions(''), socket: undefined, writeOut: (line) => out.push(line) }, silentLogger, {}, deps)
  t.teardown(() => sidecar.stop())
  monitor.callbacks?.onSubscribed('startup')
  await sidecar.ready
  truth.cidr = '10.0.0.9/24'
  sidecar.resync('SIGHUP')
  await clock.advance(DEFAULT_CORE_OPTIONS.debounceMs)
  t.match(
    out.map((line) => JSON.parse(line) as unknown),
    [
      { type: 'network_discovery', data: { interfaces: [{ interface: 'ens37', ipv4_addresses: [{ address: '10.0.0.5' }] }] } },
      { type: 'network_change', data: { interface: 'ens37', ipv4_addresses: [{ address: '10.0.0.9' }] } },
    ],
  )
  t.equal(out.length, 2)
  t.ok(
    out.every((line) => line.endsWith('}\n')),
    'one line each',
  )
})
