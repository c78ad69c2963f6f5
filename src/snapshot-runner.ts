import { backoffDelay } from './core/backoff.js'
import { parseSnapshot, type RawSnapshot } from './core/parse-snapshot.js'
import type { Snapshot } from './core/snapshot.js'
import type { Clock } from './adapters/clock.js'
import type { SnapshotReader } from './adapters/ip-snapshot.js'
import type { Logger } from './adapters/logger.js'

export interface SnapshotRunnerOptions {
  read: SnapshotReader
  clock: Clock
  logger: Logger
  /** Cap of the retry backoff after a failed or unparseable snapshot. */
  maxBackoffMs: number
}

export interface SnapshotRunnerCallbacks {
  /** Every snapshot as read, parseable or not (for `netmon record`). */
  onRaw(raw: RawSnapshot, at: number): void
  /** A parsed snapshot: the truth at `at`. */
  onSnapshot(snapshot: Snapshot, at: number): void
}

export interface SnapshotCounters {
  taken: number
  failed: number
  lastAt: number | null
}

export interface SnapshotRunner {
  /** Reads one snapshot, retrying with backoff until one parses (or `stop`). */
  take(): void
  counters(): SnapshotCounters
  stop(): void
}

/** Takes the snapshots the core asks for; a failure is retried, never given up. */
export const createSnapshotRunner = (options: SnapshotRunnerOptions, callbacks: SnapshotRunnerCallbacks): SnapshotRunner => {
  const { clock, logger } = options
  const counters: SnapshotCounters = { taken: 0, failed: 0, lastAt: null }
  let stopped = false
  let cancelRetry: (() => void) | undefined

  const retry = (failures: number, error: string): void => {
    counters.failed += 1
    const delayMs = backoffDelay(failures, { initialMs: 100, maxMs: options.maxBackoffMs })
    ;(failures === 0 ? logger.warn : logger.debug)('snapshot failed; retrying', { error, delayMs, failures: failures + 1 })
    cancelRetry = clock.at(clock.now() + delayMs, () => void attempt(failures + 1))
  }

  const attempt = async (failures: number): Promise<void> => {
    let raw: RawSnapshot
    try {
      raw = await options.read()
    } catch (error) {
      if (!stopped) retry(failures, error instanceof Error ? error.message : String(error))
      return
    }
    if (stopped) return
    const at = clock.now()
    callbacks.onRaw(raw, at)
    const snapshot = parseSnapshot(raw)
    if (!snapshot.ok) {
      retry(failures, snapshot.error)
      return
    }
    if (failures > 0) logger.info('snapshot recovered', { failures })
    counters.taken += 1
    counters.lastAt = at
    callbacks.onSnapshot(snapshot.value, at)
  }

  return {
    take: () => void attempt(0),
    counters: () => ({ ...counters }),
    stop() {
      stopped = true
      cancelRetry?.()
    },
  }
}
