import { classifyMonitorStderr } from '../core/monitor-stderr.js'
import { nextRestart } from '../core/restart-policy.js'
import { unreachable } from '../core/result.js'
import type { Clock } from './clock.js'
import { startLineChild, type ChildEnd, type LineChild } from './line-child.js'
import type { Logger } from './logger.js'
import { waitForSubscription, type NetlinkTableReader } from './netlink-subscription.js'

export const MONITOR_ARGS = ['monitor', 'label', 'address', 'route', 'link'] as const

export interface MonitorOptions {
  ipPath: string
  clock: Clock
  logger: Logger
  readNetlinkTable: NetlinkTableReader
  subscribeTimeoutMs: number
  /** Cap of the restart backoff; the first restart after a failure is immediate. */
  maxBackoffMs: number
}

export interface MonitorCallbacks {
  /** One stdout line of the child, as printed. */
  onLine(line: string): void
  /** The child is subscribed: read the truth now (at start-up, and after every restart). */
  onSubscribed(reason: 'startup' | 'monitor restarted'): void
  /** The kernel dropped records (ENOBUFS); the child keeps running. */
  onOverrun(message: string): void
}

export interface MonitorStats {
  pid: number | null
  restarts: number
  overruns: number
  lastRecordAt: number | null
}

export interface Monitor {
  stats(): MonitorStats
  stop(): Promise<void>
}

/** How long `ip monitor` gets to exit on SIGTERM before SIGKILL. */
const STOP_GRACE_MS = 500

const describeEnd = (end: ChildEnd): string => {
  switch (end.kind) {
    case 'exited':
      return `code ${end.code}`
    case 'signalled':
      return `signal ${end.signal}`
    case 'failed-to-start':
      return `not started: ${end.message}`
    default:
      return unreachable(end)
  }
}

/**
 * Keeps one `ip monitor` child alive: restarts it when it exits or is killed (at once,
 * then with a backoff capped at `maxBackoffMs`) and reports its lines, its subscription and
 * its overruns.
 */
export const startMonitor = (options: MonitorOptions, callbacks: MonitorCallbacks): Monitor => {
  const { clock, logger } = options
  let stopped = false
  const stats: MonitorStats = { pid: null, restarts: 0, overruns: 0, lastRecordAt: null }
  let failuresInRow = 0
  let cancelRestart: (() => void) | undefined
  let exited: Promise<void> = Promise.resolve()
  let running: LineChild | undefined

  const reportStderr = (line: string): void => {
    const meaning = classifyMonitorStderr(line)
    switch (meaning.kind) {
      case 'blank':
        return
      case 'overrun':
        stats.overruns += 1
        logger.warn('ip monitor lost records (netlink overrun); resyncing', { stderr: line, overruns: stats.overruns })
        callbacks.onOverrun(line)
        return
      case 'namespace-race':
        logger.debug('ip monitor could not name a network namespace being created or removed; harmless', { stderr: line })
        return
      case 'other':
        logger.warn('ip monitor wrote to stderr', { stderr: line })
        return
      default:
        return unreachable(meaning)
    }
  }

  const spawn = (reason: 'startup' | 'monitor restarted'): void => {
    let lastStderr = ''
    const startedAt = clock.now()
    const child = startLineChild(options.ipPath, MONITOR_ARGS, {
      onStdoutLine: (line) => {
        stats.lastRecordAt = clock.now()
        callbacks.onLine(line)
      },
      onStderrLine: (line) => {
        lastStderr = line.trim() === '' ? lastStderr : line
        reportStderr(line)
      },
    })
    running = child
    const pid = child.pid
    stats.pid = pid ?? null
    let alive = pid !== undefined
    exited = child.ended.then((end) => {
      alive = false
      stats.pid = null
      if (stopped) return
      const ranMs = clock.now() - startedAt
      const restart = nextRestart(failuresInRow, ranMs, options.maxBackoffMs)
      failuresInRow = restart.failuresInRow
      logger.warn('ip monitor exited; restarting', { how: describeEnd(end), ranMs: Math.round(ranMs), delayMs: restart.delayMs, stderr: lastStderr })
      stats.restarts += 1
      cancelRestart = clock.at(clock.now() + restart.delayMs, () => spawn('monitor restarted'))
    })
    if (pid === undefined) return
    void waitForSubscription(pid, clock, options.readNetlinkTable, options.subscribeTimeoutMs, () => alive).then(
      (subscribed) => {
        if (!alive || stopped) return
        if (!subscribed) {
          logger.warn('could not confirm the ip monitor subscription in /proc/net/netlink; reading state anyway', {
            pid,
            timeoutMs: options.subscribeTimeoutMs,
          })
        }
        logger.debug('ip monitor subscribed', { pid, reason })
        callbacks.onSubscribed(reason)
      },
    )
  }

  spawn('startup')
  return {
    stats: () => ({ ...stats }),
    async stop() {
      stopped = true
      cancelRestart?.()
      await running?.stop(STOP_GRACE_MS)
      await exited
    },
  }
}
