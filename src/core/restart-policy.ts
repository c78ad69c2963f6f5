import { backoffDelay } from './backoff.js'

/** A run this long counts as healthy: the next failure restarts at once again. */
export const HEALTHY_RUN_MS = 10_000

/**
 * When to restart a child that just ended after running `ranMs`: at once after a healthy
 * run, otherwise after a delay doubling from 100 ms up to `maxBackoffMs`. Returns the new
 * count of failures in a row, to pass back in next time.
 */
export const nextRestart = (failuresInRow: number, ranMs: number, maxBackoffMs: number): { failuresInRow: number; delayMs: number } => {
  const failures = ranMs >= HEALTHY_RUN_MS ? 1 : failuresInRow + 1
  return { failuresInRow: failures, delayMs: failures <= 1 ? 0 : backoffDelay(failures - 2, { initialMs: 100, maxMs: maxBackoffMs }) }
}
