/** The first retry delay and its cap. */
export interface Backoff {
  initialMs: number
  maxMs: number
}

/** Doubling delay before retry number `attempt` (0-based), capped at `maxMs`. */
export const backoffDelay = (attempt: number, { initialMs, maxMs }: Backoff): number =>
  Math.min(maxMs, initialMs * 2 ** attempt)
