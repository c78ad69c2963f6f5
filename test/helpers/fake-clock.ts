import type { Clock } from '../../src/adapters/clock.js'

/** A clock whose time moves only when the test says so. */
export interface FakeClock extends Clock {
  /** Moves time forward, firing due timers in order. */
  advance(ms: number): Promise<void>
  pendingTimers(): number
}

export const createFakeClock = (start = Date.UTC(2025, 10, 20, 20, 30, 0)): FakeClock => {
  let now = start
  let nextId = 0
  const timers = new Map<number, { at: number; fire: () => void }>()
  const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))
  return {
    now: () => now,
    at(at, fire) {
      const id = nextId++
      timers.set(id, { at, fire })
      return () => timers.delete(id)
    },
    async advance(ms) {
      const until = now + ms
      for (;;) {
        await flush()
        const due = [...timers].filter(([, timer]) => timer.at <= until).sort(([, a], [, b]) => a.at - b.at)[0]
        if (due === undefined) break
        timers.delete(due[0])
        now = Math.max(now, due[1].at)
        due[1].fire()
      }
      now = until
      await flush()
    },
    pendingTimers: () => timers.size,
  }
}
