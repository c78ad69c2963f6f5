import { compileIgnore, DEFAULT_IGNORE } from './ignore.js'
import type { InterfaceView, ViewRules } from './view.js'

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
  lastAt: number
}

export interface ReportedInterface {
  view: InterfaceView
  /** When this view was first reported: the timestamp clients see in a discovery. */
  since: number
}

/**
 * `idle`: no snapshot requested. `in-flight`: one was requested and has not arrived.
 * `in-flight-stale`: one is in flight, but records may have been lost since it was asked
 * for, so another must follow it.
 */
export type SnapshotPhase = 'idle' | 'in-flight' | 'in-flight-stale'

/** A multipath route header whose nexthop lines (which name the devices) follow it. */
export type RouteContext = 'default-route' | 'other'

export interface State {
  options: CoreOptions
  rules: ViewRules
  /** False until the first snapshot has set the initial report. */
  ready: boolean
  /** What clients were last told, by interface name: the discovery is built from it. */
  reported: ReadonlyMap<string, ReportedInterface>
  /** Interface names by ifindex from the last snapshot, to notice renames. */
  names: ReadonlyMap<number, string>
  windows: ReadonlyMap<string, DebounceWindow>
  /** Windows that closed and wait for a snapshot to be requested. */
  due: ReadonlySet<string>
  /** Interfaces the in-flight snapshot will settle. */
  settling: ReadonlySet<string>
  snapshot: SnapshotPhase
  routeContext: RouteContext
}

export const initialState = (options: CoreOptions = DEFAULT_CORE_OPTIONS): State => ({
  options,
  rules: {
    isIgnored: compileIgnore([...DEFAULT_IGNORE, ...options.ignore]),
    acceptUnknownOperstate: options.acceptUnknownOperstate,
  },
  ready: false,
  reported: new Map(),
  names: new Map(),
  windows: new Map(),
  due: new Set(),
  settling: new Set(),
  snapshot: 'idle',
  routeContext: 'other',
})
