import type { Snapshot } from './snapshot.js'

/**
 * What the outside world tells the core. `at` is milliseconds since the epoch (a fraction
 * is allowed); the core never reads a clock.
 */
export type Input =
  /** One raw output line of the long-running `ip monitor` child. */
  | { type: 'monitor-line'; line: string; at: number }
  /** The truth read back with `ip -json addr show` and `ip -json route show`. */
  | { type: 'snapshot'; snapshot: Snapshot; at: number }
  /** A timer the core asked for (via its next deadline) has fired. */
  | { type: 'tick'; at: number }
  /** Records may have been lost (start-up, monitor restart, overrun): read the truth again. */
  | { type: 'resync'; reason: string; at: number }

