import type { InDefaultRoute } from './record-assembler.js'
import type { InterfaceView } from './view.js'

/** Options that shape what the core reports and when. */
export interface CoreOptions {
  /** Quiet time after an interface's last record before it is read back and reported. */
  debounceMs: number
  /** Longest an interface that never goes quiet waits before it is reported anyway. */
  maxWaitMs: number
  /** Globs added to the seed's ignore list (`lo`, `docker0`, `veth*`). */
  ignore: readonly string[]
  acceptUnknownOperstate: boolean
}

export const DEFAULT_CORE_OPTIONS: CoreOptions = {
  debounceMs: 3000,
  maxWaitMs: 10_000,
  ignore: [],
  acceptUnknownOperstate: false,
}

/** An interface that has seen records and waits for quiet before it is read back. */
export interface DebounceWindow {
  openedAt: number
  /** Quiet for debounceMs since its last record, or open for maxWaitMs: whichever comes first. */
  closesAt: number
}

export interface ReportedInterface {
  view: InterfaceView
  /** When this view was first reported: the timestamp clients see in a discovery. */
  since: number
}

/** Interfaces a read will settle, and what must follow it. */
interface Reading {
  /** Interfaces whose windows closed before this read was asked for: it settles them. */
  settling: ReadonlySet<string>
  /** Windows that closed during this read: the next read settles them. */
  next: ReadonlySet<string>
  /** Records may have been lost since this read was asked for: another read must follow it. */
  queued: boolean
  /** Failed reads in a row so far (the retry backoff grows with it). */
  failures: number
}

/*
 * The snapshot's life:
 *
 *   idle --windows close, or resync--> reading --snapshot--> idle, or reading again
 *                                        |  ^                (when `next` or `queued`)
 *                        snapshot-failed |  | tick at retryAt
 *                                        v  |
 *                                     backing-off
 */
export type SnapshotPhase =
  | { phase: 'idle' }
  /** One read is under way (one at a time). */
  | ({ phase: 'reading' } & Reading)
  /** The last read failed; the next one starts at `retryAt`. */
  | ({ phase: 'backing-off'; retryAt: number } & Reading)

/** What `get_status` reports of the core's work. */
export interface CoreCounts {
  snapshotsTaken: number
  snapshotsFailed: number
  lastSnapshotAt: number | null
  resyncs: number
  changesEmitted: number
}

export interface State {
  /** What clients were last told, by interface name; undefined until the first snapshot (not ready). */
  report: ReadonlyMap<string, ReportedInterface> | undefined
  /** Interface names by ifindex from the last snapshot, to notice renames. */
  names: ReadonlyMap<number, string>
  windows: ReadonlyMap<string, DebounceWindow>
  snapshot: SnapshotPhase
  /** Whether the last `ip monitor` header began a default route's record (record-assembler.ts). */
  inDefaultRoute: InDefaultRoute
  counts: CoreCounts
}

export const initialState = (): State => ({
  report: undefined,
  names: new Map(),
  windows: new Map(),
  snapshot: { phase: 'idle' },
  inDefaultRoute: false,
  counts: { snapshotsTaken: 0, snapshotsFailed: 0, lastSnapshotAt: null, resyncs: 0, changesEmitted: 0 },
})
