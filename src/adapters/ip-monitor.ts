import { nextRestart } from '../core/restart-policy.js'
import { unreachable } from '../core/result.js'
import type { Clock } from './clock.js'
import { launch, type Launcher } from './die-with-parent.js'
import { DEFAULT_MAX_LINE_BYTES, startLineChild, type ChildEnd, type LineChild } from './line-child.js'
import type { Logger } from './logger.js'
import { createMonitorOutput } from './monitor-output.js'
import { watchSubscription, type NetlinkTableReader } from './netlink-subscription.js'

export const MONITOR_ARGS = ['monitor', 'label', 'address', 'route', 'link'] as const

export interface MonitorOptions {
  ipPath: string
  clock: Clock
  logger: Logger
  readNetlinkTable: NetlinkTableReader
  subscribeTimeoutMs: number
  /** Cap of the restart backoff; the first restart after a failure is immediate. */
  maxBackoffMs: number
  /** How the child is started: under `setpriv --pdeathsig KILL` where it works (`findLauncher`). */
  launcher: Launcher
  /** A stdout or stderr line longer than this is dropped (and the state re-read). */
  maxLineBytes?: number
  /** Repeated stderr messages are logged once, then summarised once per this interval. */
  stderrSummaryMs?: number
  /** Ends the monitor like `stop()`. */
  signal?: AbortSignal
}

/** Why the state must be read now. */
export type SubscribedReason = 'startup' | 'monitor restarted' | 'monitor subscribed late'

export interface MonitorCallbacks {
  /** One stdout line of the child, as printed. */
  onLine(line: string): void
  /** The child is subscribed (or could not be confirmed in time): read the truth now. */
  onSubscribed(reason: SubscribedReason): void
  /** Records were lost while the child kept running: the kernel dropped them (ENOBUFS), or a line was too long to keep. */
  onOverrun(reason: 'overrun' | 'overlong line'): void
}

export interface MonitorStats {
  pid: number | null
  restarts: number
  overruns: number
  lastRecordAt: number | null
}

export interface Monitor {
  stats(): MonitorStats
  /** Ends the child and restarts nothing; resolves once the child has ended. */
  stop(): Promise<void>
}

/** The stats of a monitor whose child has never run: at start, and before `startMonitor` is called. */
export const neverRunStats = (): MonitorStats => ({ pid: null, restarts: 0, overruns: 0, lastRecordAt: null })

/** How long `ip monitor` gets to exit on SIGTERM before SIGKILL. */
const STOP_GRACE_MS = 500
const DEFAULT_STDERR_SUMMARY_MS = 10_000

const describeEnd = (end: ChildEnd): string => {
  switch (end.kind) {
    case 'exited':
      return `code ${end.code}`
    case 'signalled':
      return `signal ${end.signal}`
    case 'failed-to-start':
      return `not started: ${end.message}`
    /* c8 ignore next 2 -- the union is exhausted above; the compiler checks it */
    default:
      return unreachable(end)
  }
}

/** One spawned child and what is known about it. */
interface Run {
  child: LineChild
  startedAt: number
  reason: 'startup' | 'monitor restarted'
  lastStderr: string
  /** Aborted when the child has ended: ends the subscription watch. */
  ended: AbortController
}

/*
 * The supervisor's states. Each holds only what it needs; `stop()` (or the signal) is one
 * more transition, from any state, so no callback has to check a flag.
 *
 *             spawn                 seen in /proc/net/netlink
 *   (start) ───────► starting ─────────────────────────────► subscribed
 *                      │  │ not seen within subscribeTimeoutMs      ▲
 *                      │  │ (state read anyway, watch goes on)      │ seen late: resync
 *                      │  └───────────────────────► unconfirmed ────┘
 *                      │ child ends (from starting, unconfirmed or subscribed)
 *                      ▼
 *                  backing-off ──delay (0 after a healthy run, then doubling)──► starting
 *
 *   any state ──stop()/abort──► stopped (child ended with SIGTERM then SIGKILL; timers cancelled)
 */
type MonitorState =
  | { id: 'starting'; run: Run }
  | { id: 'unconfirmed'; run: Run }
  | { id: 'subscribed'; run: Run }
  | { id: 'backing-off'; cancel: () => void }
  | { id: 'stopped' }

/**
 * Keeps one `ip monitor` child alive: restarts it when it exits or is killed (at once,
 * then with a backoff capped at `maxBackoffMs`) and reports its lines, its subscription and
 * lost records. The child dies with netmon, even on SIGKILL, where setpriv allows it.
 */
export const startMonitor = (options: MonitorOptions, callbacks: MonitorCallbacks): Monitor => {
  const { clock, logger } = options
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES
  const stats = neverRunStats()
  let failuresInRow = 0
  let state: MonitorState = { id: 'stopped' }
  let ended: Promise<unknown> = Promise.resolve()

  const { launcher } = options
  if (launcher.kind === 'plain') {
    logger.warn('ip monitor will not die with netmon if netmon is killed with SIGKILL (it ends at its next record)', { reason: launcher.reason })
  }

  const output = createMonitorOutput({
    clock,
    logger,
    maxLineBytes,
    summaryMs: options.stderrSummaryMs ?? DEFAULT_STDERR_SUMMARY_MS,
    onOverrun: () => {
      stats.overruns += 1
      return stats.overruns
    },
    onLost: callbacks.onOverrun,
  })

  const spawn = (reason: Run['reason']): void => {
    const [command, args] = launch(launcher, options.ipPath, MONITOR_ARGS)
    const run: Run = {
      startedAt: clock.now(),
      reason,
      lastStderr: '',
      ended: new AbortController(),
      child: startLineChild(
        command,
        args,
        {
          onStdoutLine: (line) => {
            stats.lastRecordAt = clock.now()
            callbacks.onLine(line)
          },
          onStderrLine: (line) => {
            if (line.trim() !== '') run.lastStderr = line.slice(0, 500)
            output.stderrLine(line)
          },
          onOverlong: output.overlong,
        },
        maxLineBytes,
      ),
    }
    state = { id: 'starting', run }
    const pid = run.child.pid
    stats.pid = pid ?? null
    ended = run.child.ended.then((end) => childEnded(run, end))
    if (pid === undefined) return
    watchSubscription(
      pid,
      { clock, readTable: options.readNetlinkTable, timeoutMs: options.subscribeTimeoutMs, signal: run.ended.signal },
      (event) => subscriptionSeen(run, pid, event),
    )
  }

  const subscriptionSeen = (run: Run, pid: number, event: 'subscribed' | 'timed-out' | 'unreadable'): void => {
    /* c8 ignore next -- never true, as a run's watch is aborted (run.ended) before the state leaves that run; it narrows the state */
    if (state.id === 'backing-off' || state.id === 'stopped' || state.run !== run) return
    switch (event) {
      case 'subscribed':
        if (state.id === 'unconfirmed') {
          logger.warn('ip monitor subscribed late; resyncing', { pid, afterMs: Math.round(clock.now() - run.startedAt) })
          state = { id: 'subscribed', run }
          callbacks.onSubscribed('monitor subscribed late')
          return
        }
        logger.debug('ip monitor subscribed', { pid, reason: run.reason })
        state = { id: 'subscribed', run }
        callbacks.onSubscribed(run.reason)
        return
      case 'timed-out':
        logger.warn('could not confirm the ip monitor subscription in /proc/net/netlink; reading state anyway, and resyncing when it appears', {
          pid,
          timeoutMs: options.subscribeTimeoutMs,
        })
        state = { id: 'unconfirmed', run }
        callbacks.onSubscribed(run.reason)
        return
      case 'unreadable':
        logger.warn('cannot read /proc/net/netlink to confirm the ip monitor subscription; reading state anyway', { pid })
        state = { id: 'subscribed', run }
        callbacks.onSubscribed(run.reason)
        return
      /* c8 ignore next 2 -- the union is exhausted above; the compiler checks it */
      default:
        unreachable(event)
    }
  }

  const childEnded = (run: Run, end: ChildEnd): void => {
    run.ended.abort()
    if (state.id === 'stopped') return
    stats.pid = null
    const ranMs = clock.now() - run.startedAt
    const restart = nextRestart(failuresInRow, ranMs, options.maxBackoffMs)
    failuresInRow = restart.failuresInRow
    logger.warn('ip monitor exited; restarting', { how: describeEnd(end), ranMs: Math.round(ranMs), delayMs: restart.delayMs, stderr: run.lastStderr })
    stats.restarts += 1
    state = { id: 'backing-off', cancel: clock.at(clock.now() + restart.delayMs, () => spawn('monitor restarted')) }
  }

  let stopping: Promise<void> | undefined
  const stop = async (): Promise<void> => {
    const current = state
    state = { id: 'stopped' }
    switch (current.id) {
      case 'starting':
      case 'unconfirmed':
      case 'subscribed':
        current.run.ended.abort()
        await current.run.child.stop(STOP_GRACE_MS)
        break
      case 'backing-off':
        current.cancel()
        break
      case 'stopped':
        break
      /* c8 ignore next 2 -- the union is exhausted above; the compiler checks it */
      default:
        unreachable(current)
    }
    await ended
    stats.pid = null
    output.flush()
  }
  const stopOnce = (): Promise<void> => (stopping ??= stop())
  options.signal?.addEventListener('abort', () => void stopOnce(), { once: true })

  if (options.signal?.aborted !== true) spawn('startup')
  return { stats: () => ({ ...stats }), stop: stopOnce }
}
