import { execa } from 'execa'
import { backoffDelay } from '../core/backoff.js'
import { classifyMonitorStderr } from '../core/monitor-stderr.js'
import { unreachable } from '../core/result.js'
import split2 from 'split2'
import type { Clock } from './clock.js'
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

/** A run this long counts as healthy: the next failure restarts at once again. */
const HEALTHY_RUN_MS = 10_000

/**
 * Keeps one `ip monitor` child alive: restarts it when it exits or is killed (at once,
 * then with a backoff capped at `maxBackoffMs`) and reports its lines, its subscription and
 * its overruns.
 */
export const startMonitor = (options: MonitorOptions, callbacks: MonitorCallbacks): Monitor => {
  const { clock, logger } = options
  const controller = new AbortController()
  const stats: MonitorStats = { pid: null, restarts: 0, overruns: 0, lastRecordAt: null }
  let failuresInRow = 0
  let cancelRestart: (() => void) | undefined
  let exited: Promise<void> = Promise.resolve()

  const spawn = (reason: 'startup' | 'monitor restarted'): void => {
    const startedAt = clock.now()
    const child = execa(options.ipPath, [...MONITOR_ARGS], {
      cancelSignal: controller.signal,
      buffer: false,
      reject: false,
      stdin: 'ignore',
      forceKillAfterDelay: 500,
    })
    const pid = child.pid
    stats.pid = pid ?? null
    let alive = pid !== undefined
    child.stdout.pipe(split2()).on('data', (line: string) => {
      stats.lastRecordAt = clock.now()
      callbacks.onLine(line)
    })
    child.stderr.pipe(split2()).on('data', (line: string) => {
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
    })
    exited = child.then((result) => {
      alive = false
      stats.pid = null
      if (controller.signal.aborted) return
      const ranMs = clock.now() - startedAt
      failuresInRow = ranMs >= HEALTHY_RUN_MS ? 1 : failuresInRow + 1
      const delayMs = failuresInRow <= 1 ? 0 : backoffDelay(failuresInRow - 2, { initialMs: 100, maxMs: options.maxBackoffMs })
      const how = result.signal === undefined ? `code ${String(result.exitCode)}` : `signal ${result.signal}`
      logger.warn('ip monitor exited; restarting', { how, ranMs: Math.round(ranMs), delayMs, stderr: result.shortMessage })
      stats.restarts += 1
      cancelRestart = clock.at(clock.now() + delayMs, () => spawn('monitor restarted'))
    })
    if (pid === undefined) return
    void waitForSubscription(pid, clock, options.readNetlinkTable, options.subscribeTimeoutMs, () => alive).then(
      (subscribed) => {
        if (!alive || controller.signal.aborted) return
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
      controller.abort()
      cancelRestart?.()
      await exited
    },
  }
}
