import type { RawSnapshot } from './parse-snapshot.js'

/**
 * What the outside world tells the core: what was read, as it was read, so that recording
 * every input is a recording of everything (a fixture's `inputs.jsonl` holds them one per
 * line). `at` is milliseconds since the epoch (a fraction is allowed); the core never reads
 * a clock.
 */
export type Input =
  /** One raw output line of the long-running `ip monitor` child. */
  | { type: 'monitor-line'; at: number; line: string }
  /** The truth as `ip -json addr show` and `ip -json route show` printed it; parsed in the core. */
  | ({ type: 'snapshot'; at: number } & RawSnapshot)
  /** Reading a snapshot failed (the command failed or timed out): retried with backoff. */
  | { type: 'snapshot-failed'; at: number; error: string }
  /** A timer the core asked for (via its next deadline) has fired (late by the event loop's delay). */
  | { type: 'tick'; at: number }
  /** Records may have been lost (start-up, monitor restart, overrun): read the truth again. */
  | { type: 'resync'; at: number; reason: string }
