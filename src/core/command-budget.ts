/** How many command lines a client may send: a token bucket, refilled with time. */
export interface CommandBudget {
  /**
   * Spends the cost of a line of `bytes` and returns 0, or spends nothing and returns the
   * milliseconds until the budget holds it.
   */
  spend(bytes: number): number
}

/** A line costs one, plus one per KiB past the first (never more than the whole bucket). */
const costOf = (bytes: number, burst: number): number => Math.min(1 + Math.floor(bytes / 1024), burst)

/**
 * `burst` lines at once, then `perSecond`. Pure: the caller passes its clock as `now`, read
 * only when a line is spent, so an idle client costs nothing; the caller arms a timer only
 * while a client waits.
 */
export const createCommandBudget = (burst: number, perSecond: number, now: () => number): CommandBudget => {
  let tokens = burst
  let refilledAt = now()
  return {
    spend(bytes) {
      const at = now()
      tokens = Math.min(burst, tokens + ((at - refilledAt) * perSecond) / 1000)
      refilledAt = at
      const cost = costOf(bytes, burst)
      if (tokens < cost) return Math.ceil(((cost - tokens) * 1000) / perSecond)
      tokens -= cost
      return 0
    },
  }
}
