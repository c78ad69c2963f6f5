import t, { type Test } from 'tap'
import { systemClock } from '../../src/adapters/clock.js'
import { startMonitor, type Monitor, type MonitorCallbacks } from '../../src/adapters/ip-monitor.js'
import { createLogger } from '../../src/adapters/logger.js'
import { writeIpScript } from '../helpers/fake-ip.js'
import { tempDir } from '../helpers/temp-dir.js'
import { waitUntil } from '../helpers/wait-until.js'
import { sleep } from '../helpers/watched-namespace.js'

interface LogEntry {
  level: string
  msg: string
  [field: string]: unknown
}

/** `/proc/net/netlink` as the kernel prints it, with `pid` holding a subscribed rtnetlink socket. */
const tableWith = (pid: number): string =>
  [
    'sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    Drops    Inode',
    `0000000000000000 0   ${pid}     00000511 0        0        0     2        0        1234`,
  ].join('\n')

/** startMonitor over a fake `ip`, with every log line and callback recorded. */
const monitorOf = (t: Test, script: string | undefined, options: { subscribed?: boolean; subscribeTimeoutMs?: number } = {}) => {
  const ipPath = script === undefined ? '/nonexistent/ip' : writeIpScript(tempDir(t, 'mon'), script)
  const logs: LogEntry[] = []
  const lines: string[] = []
  const subscribed: string[] = []
  const overruns: string[] = []
  const callbacks: MonitorCallbacks = {
    onLine: (line) => lines.push(line),
    onSubscribed: (reason) => subscribed.push(reason),
    onOverrun: (message) => overruns.push(message),
  }
  // The table is first read while startMonitor runs, before `monitor` is assigned.
  let started: Monitor | undefined
  const monitor = startMonitor(
    {
      ipPath,
      clock: systemClock,
      logger: createLogger('debug', (line) => logs.push(JSON.parse(line) as LogEntry)),
      readNetlinkTable: () => tableWith(options.subscribed === false ? 1 : (started?.stats().pid ?? 0)),
      subscribeTimeoutMs: options.subscribeTimeoutMs ?? 2000,
      maxBackoffMs: 400,
    },
    callbacks,
  )
  started = monitor
  t.teardown(() => monitor.stop())
  return { monitor, logs, lines, subscribed, overruns }
}

const expectEventually = async (condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> => {
  if (!(await waitUntil(condition, timeoutMs, 10))) throw new Error(`timed out waiting for ${what}`)
}

t.test('lines, overruns and stray stderr, each reported its own way', async (t) => {
  const m = monitorOf(
    t,
    [
      'echo "[LINK]2: ens37: <UP> mtu 1500"',
      'echo "Error: Peer netns reference is invalid." >&2',
      'echo "netlink receive error No buffer space available (105)" >&2',
      'echo "Something unexpected" >&2',
      'exec sleep 30',
    ].join('\n'),
  )
  await expectEventually(() => m.lines.length === 1 && m.overruns.length === 1 && m.logs.some((log) => log.msg === 'ip monitor wrote to stderr'), 'the output')
  await expectEventually(() => m.subscribed.length === 1, 'the subscription')
  t.same(m.lines, ['[LINK]2: ens37: <UP> mtu 1500'])
  t.same(m.subscribed, ['startup'])
  t.match(m.monitor.stats(), { overruns: 1, restarts: 0, pid: Number })
  t.ok(m.monitor.stats().lastRecordAt !== null, 'the time of the last record is kept')
  t.match(
    m.logs.filter((log) => log.msg !== 'ip monitor subscribed'),
    [
      { level: 'debug', msg: /could not name a network namespace/ },
      { level: 'warn', msg: /netlink overrun/, overruns: 1 },
      { level: 'warn', msg: 'ip monitor wrote to stderr', stderr: 'Something unexpected' },
    ],
  )
})

t.test('a monitor that keeps exiting is restarted at once, then with a capped backoff', async (t) => {
  const m = monitorOf(t, 'echo "ip: cannot open netlink socket" >&2\nexit 2')
  await expectEventually(() => m.monitor.stats().restarts >= 5, 'five restarts', 10_000)
  const exits = m.logs.filter((log) => log.msg === 'ip monitor exited; restarting')
  t.match(exits[0], { level: 'warn', how: 'code 2', delayMs: 0, stderr: 'ip: cannot open netlink socket' })
  t.same(
    exits.slice(0, 5).map((log) => log.delayMs),
    [0, 100, 200, 400, 400],
    'the first retry is immediate, then doubling up to the cap',
  )
})

t.test('a missing binary is reported as not started, and retried', async (t) => {
  const m = monitorOf(t, undefined)
  await expectEventually(() => m.monitor.stats().restarts >= 2, 'two restarts')
  t.match(m.logs.find((log) => log.msg === 'ip monitor exited; restarting'), { how: /^not started: .*ENOENT/ })
  t.equal(m.monitor.stats().pid, null)
  t.same(m.subscribed, [], 'never subscribed: no snapshot is asked for')
})

t.test('an unconfirmed subscription is logged and the state read anyway', async (t) => {
  const m = monitorOf(t, 'exec sleep 30', { subscribed: false, subscribeTimeoutMs: 200 })
  await expectEventually(() => m.subscribed.length === 1, 'the fallback')
  t.match(m.logs.find((log) => log.level === 'warn'), { msg: /could not confirm the ip monitor subscription/, timeoutMs: 200 })
})

t.test('stop ends the child and restarts nothing', async (t) => {
  const m = monitorOf(t, 'exec sleep 30')
  await expectEventually(() => m.subscribed.length === 1, 'the subscription')
  const pid = m.monitor.stats().pid ?? 0
  await m.monitor.stop()
  t.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, 'the child is gone')
  await sleep(200)
  t.match(m.monitor.stats(), { pid: null, restarts: 0 })
  t.notOk(m.logs.some((log) => log.msg === 'ip monitor exited; restarting'), 'a stop is not a failure')
})
