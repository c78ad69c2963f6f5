import type { Clock } from './clock.js'

export interface RepeatLimiterOptions {
  clock: Clock
  /** How long one kind of message is summarised instead of logged, after it was logged. */
  intervalMs: number
  /** Summary of the repeats of `key` held back over the last `periodMs`; `sample` is the latest. */
  onSummary(key: string, count: number, sample: string, periodMs: number): void
  /** Distinct kinds tracked at once; past that, new kinds share one catch-all kind. */
  maxKinds?: number
}

export interface RepeatLimiter {
  /** True when a message of kind `key` should be logged now; otherwise it is counted. */
  allow(key: string, sample: string): boolean
  /** Logs what is still counted and cancels the timer. */
  flush(): void
}

interface Kind {
  /** Until when repeats of this kind are counted rather than logged. */
  quietUntil: number
  held: number
  sample: string
  cancel: (() => void) | undefined
}

const CATCH_ALL = '(other messages)'

/**
 * Logs the first message of a kind, then counts its repeats and logs one summary
 * ("N more like this") at the end of each interval in which some were held back. A timer
 * runs only while repeats are held back: with nothing repeating, nothing ticks.
 */
export const createRepeatLimiter = ({ clock, intervalMs, onSummary, maxKinds = 32 }: RepeatLimiterOptions): RepeatLimiter => {
  const kinds = new Map<string, Kind>()

  const summarise = (key: string, kind: Kind): void => {
    kind.cancel = undefined
    if (kind.held === 0) return
    onSummary(key, kind.held, kind.sample, intervalMs)
    kind.held = 0
    // Still repeating: keep holding them back for another interval.
    kind.quietUntil = clock.now() + intervalMs
  }

  const forget = (now: number): void => {
    for (const [key, kind] of kinds) if (kind.quietUntil <= now && kind.held === 0) kinds.delete(key)
  }

  return {
    allow(key, sample) {
      const now = clock.now()
      if (!kinds.has(key) && kinds.size >= maxKinds) forget(now)
      const name = kinds.has(key) || kinds.size < maxKinds ? key : CATCH_ALL
      const kind = kinds.get(name)
      if (kind === undefined || (now >= kind.quietUntil && kind.held === 0)) {
        kinds.set(name, { quietUntil: now + intervalMs, held: 0, sample, cancel: undefined })
        return true
      }
      kind.held += 1
      kind.sample = sample
      kind.cancel ??= clock.at(kind.quietUntil, () => summarise(name, kind))
      return false
    },
    flush() {
      for (const [key, kind] of kinds) {
        kind.cancel?.()
        summarise(key, kind)
      }
      kinds.clear()
    },
  }
}
