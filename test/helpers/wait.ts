/** Waiting, for tests and the bench alike: every wait here ends, at the latest after its timeout. */

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls `condition` every `everyMs` until it holds (true) or `timeoutMs` has passed (false). */
export const waitUntil = async (condition: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 20): Promise<boolean> => {
  const giveUp = Date.now() + timeoutMs
  for (;;) {
    if (await condition()) return true
    if (Date.now() > giveUp) return false
    await sleep(everyMs)
  }
}

export interface EventuallyOptions {
  /** Pause between attempts. */
  everyMs?: number
  /** Give up after this many attempts, even within the time. */
  attempts?: number
  /** Errors worth another attempt; any other is thrown at once. */
  retryIf?: (error: unknown) => boolean
}

/**
 * Runs `attempt` until it returns without throwing, and returns its value; after
 * `timeoutMs` (or `attempts` tries), throws the last error.
 */
export const eventually = async <T>(
  attempt: () => T | Promise<T>,
  timeoutMs: number,
  { everyMs = 20, attempts = Number.POSITIVE_INFINITY, retryIf = () => true }: EventuallyOptions = {},
): Promise<T> => {
  const giveUp = Date.now() + timeoutMs
  for (let tried = 1; ; tried += 1) {
    try {
      return await attempt()
    } catch (error) {
      if (!retryIf(error) || tried >= attempts || Date.now() > giveUp) throw error
    }
    await sleep(everyMs)
  }
}
