/** Time and one-shot timers, behind an interface the tests can fake. */
export interface Clock {
  /** Milliseconds since the epoch, with a sub-millisecond fraction. */
  now(): number
  /** Calls `fire` once at `at` (or at once if that has passed); returns a cancel function. */
  at(at: number, fire: () => void): () => void
}

export const systemClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
  at(at, fire) {
    const timer = setTimeout(fire, Math.max(0, at - systemClock.now()))
    return () => clearTimeout(timer)
  },
}
