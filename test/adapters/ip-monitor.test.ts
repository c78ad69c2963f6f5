import { existsSync } from 'node:fs'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { systemClock } from '../../src/adapters/clock.js'
import { startMonitor, type Monitor, type MonitorCallbacks } from '../../src/adapters/ip-monitor.js'
import { findLauncher, type Launcher } from '../../src/adapters/die-with-parent.js'
import { createLogger } from '../../src/adapters/logger.js'
import { writeIpScript } from '../helpers/fake-ip.js'
import { isRunning } from '../helpers/proc-stats.js'
import { tempDir } from '../helpers/temp-dir.js'
import { waitUntil, sleep } from '../helpers/wait.js'

/** How netmon starts the monitor here: under setpriv where it has --pdeathsig. */
const THIS_MACHINES_LAUNCHER = await findLauncher()

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

interface MonitorTestOptions {
  /** Whether the child's pid shows as subscribed; by default, the current child always is. */
  subscribed?: (pid: number) => boolean
  /** The table cannot be read (no /proc). */
  unreadable?: boolean
  subscribeTimeoutMs?: number
  launcher?: Launcher
  maxLineBytes?: number
  stderrSummaryMs?: number
  signal?: AbortSignal
}

/** startMonitor over a fake `ip`, with every log line, callback and table read recorded. */
const monitorOf = (t: Test, script: string | undefined, options: MonitorTestOptions = {}) => {
  const ipPath = script === undefined ? '/nonexistent/ip' : writeIpScript(tempDir(t, 'mon'), script)
  const logs: LogEntry[] = []
  const lines: string[] = []
  const subscribed: string[] = []
  const overruns: string[] = []
  const tableReads = { count: 0 }
  const callbacks: MonitorCallbacks = {
    onLine: (line) => lines.push(line),
    onSubscribed: (reason) => subscribed.push(reason),
    onOverrun: (reason) => overruns.push(reason),
  }
  // The table is first read while startMonitor runs, before `monitor` is assigned.
  let started: Monitor | undefined
  const isSubscribed = options.subscribed ?? ((pid: number) => pid === started?.stats().pid)
  const monitor = startMonitor(
    {
      ipPath,
      clock: systemClock,
      logger: createLogger('debug', (line) => logs.push(JSON.parse(line) as LogEntry)),
      readNetlinkTable: () => {
        tableReads.count += 1
        if (options.unreadable === true) return undefined
        const pid = started?.stats().pid ?? 0
        return tableWith(isSubscribed(pid) ? pid : 1)
      },
      subscribeTimeoutMs: options.subscribeTimeoutMs ?? 2000,
      maxBackoffMs: 400,
      launcher: options.launcher ?? THIS_MACHINES_LAUNCHER,
      maxLineBytes: options.maxLineBytes,
      stderrSummaryMs: options.stderrSummaryMs,
      signal: options.signal,
    },
    callbacks,
  )
  started = monitor
  t.teardown(() => monitor.stop())
  return { monitor, logs, lines, subscribed, overruns, tableReads }
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
  t.same(m.overruns, ['overrun'])
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

const PLAIN: Launcher = { kind: 'plain', reason: 'test' }

t.test('a missing binary is reported as not started, and retried', async (t) => {
  const m = monitorOf(t, undefined, { launcher: PLAIN })
  await expectEventually(() => m.monitor.stats().restarts >= 2, 'two restarts')
  t.match(m.logs.find((log) => log.msg === 'ip monitor exited; restarting'), { how: /^not started: .*ENOENT/ })
  t.equal(m.monitor.stats().pid, null)
  t.same(m.subscribed, [], 'never subscribed: no snapshot is asked for')
})

t.test('under setpriv, a missing binary is an exit that names it, and retried', async (t) => {
  const m = monitorOf(t, undefined, { subscribed: () => false })
  await expectEventually(() => m.monitor.stats().restarts >= 2, 'two restarts')
  t.match(m.logs.find((log) => log.msg === 'ip monitor exited; restarting'), { how: /^code [1-9]/, stderr: /nonexistent\/ip/ })
})

t.test('an unconfirmed subscription is logged and the state read anyway', async (t) => {
  const m = monitorOf(t, 'exec sleep 30', { subscribed: () => false, subscribeTimeoutMs: 200 })
  await expectEventually(() => m.subscribed.length === 1, 'the fallback')
  t.match(m.logs.find((log) => log.level === 'warn'), { msg: /could not confirm the ip monitor subscription/, timeoutMs: 200 })
})

t.test('a subscription that appears after the timeout is still seen, and resyncs, after start and after a restart', async (t) => {
  const confirmed = new Set<number>()
  const m = monitorOf(t, 'exec sleep 30', { subscribed: (pid) => confirmed.has(pid), subscribeTimeoutMs: 200 })
  await expectEventually(() => m.subscribed.length === 1, 'the fallback')
  await sleep(300)
  t.same(m.subscribed, ['startup'], 'nothing more while unsubscribed')
  const first = m.monitor.stats().pid ?? 0
  confirmed.add(first)
  await expectEventually(() => m.subscribed.length === 2, 'the late subscription')
  t.same(m.subscribed, ['startup', 'monitor subscribed late'])
  t.match(m.logs.find((log) => log.msg === 'ip monitor subscribed late; resyncing'), { level: 'warn', pid: first })
  const reads = m.tableReads.count
  await sleep(300)
  t.equal(m.tableReads.count, reads, 'the watch stops once the subscription is seen')

  process.kill(first, 'SIGKILL')
  await expectEventually(() => m.subscribed.length === 3, 'the fallback after the restart')
  const second = m.monitor.stats().pid ?? 0
  t.not(second, first)
  confirmed.add(second)
  await expectEventually(() => m.subscribed.length === 4, 'the late subscription after the restart')
  t.same(m.subscribed, ['startup', 'monitor subscribed late', 'monitor restarted', 'monitor subscribed late'])
})

t.test('the watch for a late subscription backs off, and ends when the monitor stops', async (t) => {
  const m = monitorOf(t, 'sleep 1.5', { subscribed: () => false, subscribeTimeoutMs: 100, launcher: PLAIN })
  await expectEventually(() => m.subscribed.length === 1, 'the fallback')
  const atTimeout = m.tableReads.count
  await sleep(1000)
  const lateReads = m.tableReads.count - atTimeout
  // Pauses double from 25 ms: about 6 reads in the next second, not 40.
  t.ok(lateReads > 0 && lateReads < 12, `reads in the second after the timeout: ${lateReads}`)
  await expectEventually(() => m.monitor.stats().restarts === 1, 'the exit', 5000)
  await m.monitor.stop()
  const afterStop = m.tableReads.count
  await sleep(600)
  t.equal(m.tableReads.count, afterStop, 'no reads once the child is gone and the monitor stopped')
})

t.test('a flood of stderr is logged once per kind, then summarised', async (t) => {
  const m = monitorOf(
    t,
    ['i=0', 'while [ $i -lt 20000 ]; do echo "Warning: something odd ($i)" >&2; i=$((i+1)); done', 'exec sleep 30'].join('\n'),
    { stderrSummaryMs: 300 },
  )
  const heard = (): number =>
    m.logs.reduce((sum, log) => sum + (log.msg === 'ip monitor wrote to stderr' ? 1 : Number(/^ip monitor: (\d+) more like this/.exec(log.msg)?.[1] ?? 0)), 0)
  await expectEventually(() => heard() === 20000, 'every line counted', 20_000)
  const stderrLogs = m.logs.filter((log) => log.msg === 'ip monitor wrote to stderr' || log.msg.startsWith('ip monitor: '))
  t.match(stderrLogs[0], { level: 'warn', msg: 'ip monitor wrote to stderr', stderr: 'Warning: something odd (0)' })
  t.match(stderrLogs.at(-1), { level: 'warn', msg: /^ip monitor: \d+ more like this in the last 0.3 s$/, like: 'Warning: something odd (19999)' })
  t.ok(stderrLogs.length <= 30, `20,000 stderr lines took ${stderrLogs.length} log lines`)
  await sleep(700)
  t.equal(heard(), 20000, 'no summary of nothing')
})

t.test('an endless stdout line is dropped, reported once as lost records, and the next record arrives', async (t) => {
  const m = monitorOf(
    t,
    ['head -c 3000000 /dev/zero | tr "\\0" x', 'printf "\\n[LINK]2: ens37: <UP> mtu 1500\\n"', 'exec sleep 30'].join('\n'),
    { maxLineBytes: 64 * 1024 },
  )
  await expectEventually(() => m.lines.length === 1, 'the record after the long line')
  t.same(m.lines, ['[LINK]2: ens37: <UP> mtu 1500'])
  t.same(m.overruns, ['overlong line'])
  t.match(m.logs.filter((log) => log.level === 'warn'), [{ msg: /printed a line of more than 65536 bytes; dropped it up to its newline; resyncing/ }])
  t.equal(m.monitor.stats().overruns, 0, 'not counted as a kernel overrun')
})

t.test('an aborted signal stops the monitor', async (t) => {
  const controller = new AbortController()
  const m = monitorOf(t, 'exec sleep 30', { signal: controller.signal })
  await expectEventually(() => m.subscribed.length === 1, 'the subscription')
  const pid = m.monitor.stats().pid ?? 0
  controller.abort()
  await expectEventually(() => !isRunning(pid), 'the child to end')
  await m.monitor.stop()
  t.match(m.monitor.stats(), { pid: null, restarts: 0 })
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

t.test('an overlong stderr line is logged as such, once', async (t) => {
  const m = monitorOf(t, ['head -c 200000 /dev/zero | tr "\\0" e >&2', 'echo >&2', 'exec sleep 30'].join('\n'), { maxLineBytes: 64 * 1024 })
  await expectEventually(() => m.logs.some((log) => log.msg === 'ip monitor wrote to stderr'), 'the warning')
  t.match(m.logs.filter((log) => log.msg === 'ip monitor wrote to stderr'), [{ stderr: '(a line of more than 65536 bytes, dropped)' }])
  t.same(m.overruns, [], 'stderr lost nothing of the records')
})

t.test('an unreadable /proc/net/netlink: the state is read at once, and nothing is watched', async (t) => {
  const m = monitorOf(t, 'exec sleep 30', { unreadable: true })
  await expectEventually(() => m.subscribed.length === 1, 'the fallback')
  t.match(m.logs.find((log) => log.level === 'warn'), { msg: /cannot read \/proc\/net\/netlink/ })
  await sleep(200)
  t.equal(m.tableReads.count, 1)
})

t.test('stop while backing off cancels the restart', async (t) => {
  const m = monitorOf(t, 'exit 3', { launcher: PLAIN })
  await expectEventually(() => m.monitor.stats().restarts >= 2, 'a restart with a delay')
  await m.monitor.stop()
  const restarts = m.monitor.stats().restarts
  await sleep(600)
  t.equal(m.monitor.stats().restarts, restarts, 'nothing restarted after stop')
  t.equal(m.monitor.stats().pid, null)
})

t.test('a signal aborted before the start: nothing is spawned, and stop resolves at once', async (t) => {
  const dir = tempDir(t, 'mon')
  const marker = join(dir, 'ran')
  const m = monitorOf(t, `touch ${marker}; exec sleep 30`, { signal: AbortSignal.abort(), launcher: PLAIN })
  await m.monitor.stop()
  await sleep(200)
  t.notOk(existsSync(marker), 'ip was never run')
  t.match(m.monitor.stats(), { pid: null, restarts: 0 })
  t.same([m.subscribed, m.tableReads.count], [[], 0])
})

t.test('blank stderr lines are not logged', async (t) => {
  const m = monitorOf(t, ['echo >&2', 'echo "   " >&2', 'echo "Something unexpected" >&2', 'echo >&2', 'exec sleep 30'].join('\n'), { launcher: PLAIN })
  await expectEventually(() => m.logs.some((log) => log.msg === 'ip monitor wrote to stderr'), 'the one line')
  await sleep(200)
  const aboutStderr = m.logs.filter((log) => 'stderr' in log)
  t.match(aboutStderr, [{ level: 'warn', msg: 'ip monitor wrote to stderr', stderr: 'Something unexpected' }])
  t.equal(aboutStderr.length, 1, 'the blank ones said nothing')
  t.same(m.overruns, [])
})
