import { backoffDelay, type Backoff } from './backoff.js'
import { compileIgnore, DEFAULT_IGNORE } from './ignore.js'
import type { Input } from './inputs.js'
import { affected } from './monitor-scope.js'
import { parseMonitorLine } from './parse-monitor.js'
import { parseSnapshot, type RawSnapshot } from './parse-snapshot.js'
import type { NetworkChange, ProtocolEvent } from './protocol.js'
import { assemble, forgetRecord } from './record-assembler.js'
import { discoveryFrom, reportOf } from './report.js'
import { unreachable } from './result.js'
import type { LinkSnapshot } from './snapshot.js'
import type { CoreOptions, ReportedInterface, SnapshotPhase, State } from './state.js'
import { leavingView, reportableViews, sameView, type InterfaceView, type ViewRules } from './view.js'

/** Work the core asks its adapters to do. */
export type Effect =
  /** Read `ip -json addr` and `ip -json route` and feed the result back as a `snapshot` input. */
  | { type: 'take-snapshot' }
  /** A line for the log: a warning when the input was wrong or a read failed (the core already resynced or retries). */
  | { type: 'log'; level: 'debug' | 'info' | 'warn'; message: string; fields?: Record<string, string | number> }

/** What one input does: the next state, the events to emit and the effects to carry out. */
export interface Transition {
  state: State
  emit: ProtocolEvent[]
  effects: Effect[]
}

/** The first snapshot retry delay and its cap (the daemon passes its `maxBackoffMs`). */
export const DEFAULT_SNAPSHOT_RETRY: Backoff = { initialMs: 100, maxMs: 5000 }

/** What the reducer is built with: it never changes while it runs, so it is not State. */
interface Config {
  debounceMs: number
  maxWaitMs: number
  rules: ViewRules
  retry: Backoff
}

/*
 * Per interface:
 *
 *   (quiet) --record--> window open --record--> window open (closesAt moves)
 *                           | quiet for debounceMs, or open for maxWaitMs
 *                           v
 *                        settling (in the next read, see SnapshotPhase) --snapshot--> (quiet)
 *                                                                   emits network_change
 *                                                                   if the view differs
 *
 * A record while an interface is settling opens a new window beside it. A snapshot that
 * shows an interface differing from the report while no window is open (a lost record, a
 * resync) opens a window for it, so every change is debounced and read back before it is
 * reported. The first snapshot sets the report and emits the discovery.
 */

const EMPTY: ReadonlySet<string> = new Set()

const unchanged = (state: State): Transition => ({ state, emit: [], effects: [] })

const openWindows = (config: Config, state: State, names: readonly (string | undefined)[], at: number): State => {
  let windows: Map<string, { openedAt: number; closesAt: number }> | undefined
  for (const name of new Set(names)) {
    if (name === undefined || config.rules.isIgnored(name)) continue
    windows ??= new Map(state.windows)
    const openedAt = windows.get(name)?.openedAt ?? at
    windows.set(name, { openedAt, closesAt: Math.min(at + config.debounceMs, openedAt + config.maxWaitMs) })
  }
  return windows === undefined ? state : { ...state, windows }
}

/** Starts a read that settles `names`; while one is under way, the read after it will. */
const readSnapshot = (current: Transition, names: ReadonlySet<string>): Transition => {
  const { state } = current
  const { snapshot } = state
  if (snapshot.phase === 'idle') {
    return {
      ...current,
      // Stryker disable next-line StringLiteral: equivalent; the phase union has three tags and code tests only for idle and backing-off
      state: { ...state, snapshot: { phase: 'reading', settling: names, next: EMPTY, queued: false, failures: 0 } },
      effects: [...current.effects, { type: 'take-snapshot' }],
    }
  }
  return { ...current, state: { ...state, snapshot: { ...snapshot, next: new Set([...snapshot.next, ...names]) } } }
}

/** Records may have been lost: read now, or once more after the read under way. */
const resync = (current: Transition): Transition => {
  const { snapshot } = current.state
  if (snapshot.phase === 'idle') return readSnapshot(current, EMPTY)
  return snapshot.queued ? current : { ...current, state: { ...current.state, snapshot: { ...snapshot, queued: true } } }
}

/** The earliest time the core wants a `tick`, or undefined when nothing waits (idle). */
export const nextDeadline = (state: State): number | undefined => {
  // Stryker disable next-line ConditionalExpression: equivalent; only the backing-off phase has a retryAt
  let earliest = state.snapshot.phase === 'backing-off' ? state.snapshot.retryAt : undefined
  for (const { closesAt } of state.windows.values()) {
    // Stryker disable next-line EqualityOperator: equivalent; on a tie either value is the minimum
    if (earliest === undefined || closesAt < earliest) earliest = closesAt
  }
  return earliest
}

/** Deadlines that have passed: windows close into a read; a backed-off read starts again. */
const passDeadlines = (current: Transition, at: number): Transition => {
  const { snapshot } = current.state
  const retried: Transition =
    // Stryker disable next-line ConditionalExpression: equivalent; only the backing-off phase has a retryAt (undefined <= at is false)
    snapshot.phase === 'backing-off' && snapshot.retryAt <= at
      ? {
          ...current,
          state: {
            ...current.state,
            // Stryker disable next-line StringLiteral: equivalent; the phase union has three tags and code tests only for idle and backing-off
            snapshot: { phase: 'reading', settling: snapshot.settling, next: snapshot.next, queued: snapshot.queued, failures: snapshot.failures },
          },
          effects: [...current.effects, { type: 'take-snapshot' }],
        }
      : current
  const { windows } = retried.state
  const closing = [...windows].filter(([, window]) => window.closesAt <= at).map(([name]) => name)
  if (closing.length === 0) return retried
  const open = new Map(windows)
  for (const name of closing) open.delete(name)
  return readSnapshot({ ...retried, state: { ...retried.state, windows: open } }, new Set(closing))
}

const onMonitorLine = (config: Config, state: State, line: string, at: number): Transition => {
  const parsed = parseMonitorLine(line)
  if (!parsed.ok) {
    const forgotten = { ...state, inDefaultRoute: forgetRecord() }
    return resync({ state: forgotten, emit: [], effects: [{ type: 'log', level: 'warn', message: `${parsed.error}; resyncing` }] })
  }
  const { inDefaultRoute, record } = assemble(state.inDefaultRoute, parsed.value)
  const names = affected(state, record)
  const withRecord = inDefaultRoute === state.inDefaultRoute ? state : { ...state, inDefaultRoute }
  if (record.kind === 'json' && names.length === 0) {
    return resync({ state: withRecord, emit: [], effects: [{ type: 'log', level: 'warn', message: 'monitor JSON record names no interface; resyncing' }] })
  }
  return unchanged(openWindows(config, withRecord, names, at))
}

/** A read is over: the next starts when windows closed meanwhile or records may have been lost. */
const readDone = (current: Transition, during: SnapshotPhase): Transition => {
  const idle: Transition = { ...current, state: { ...current.state, snapshot: { phase: 'idle' } } }
  if (during.phase === 'idle' || (!during.queued && during.next.size === 0)) return idle
  return readSnapshot(idle, during.next)
}

const onSnapshotFailed = (config: Config, state: State, error: string, at: number): Transition => {
  const counts = { ...state.counts, snapshotsFailed: state.counts.snapshotsFailed + 1 }
  const { snapshot } = state
  // Only a read the core asked for can fail; one it did not ask for leaves nothing to retry.
  if (snapshot.phase === 'idle') return unchanged({ ...state, counts })
  const delayMs = backoffDelay(snapshot.failures, config.retry)
  const failures = snapshot.failures + 1
  return {
    state: {
      ...state,
      counts,
      snapshot: { phase: 'backing-off', settling: snapshot.settling, next: snapshot.next, queued: snapshot.queued, failures, retryAt: at + delayMs },
    },
    emit: [],
    effects: [{ type: 'log', level: failures === 1 ? 'warn' : 'debug', message: 'snapshot failed; retrying', fields: { error, delayMs, failures } }],
  }
}

const initialReport = (views: Map<string, InterfaceView>, at: number): Map<string, ReportedInterface> =>
  new Map([...views].map(([name, view]) => [name, { view, since: at }]))

// Kernel order; on a rename the old name leaves before the new one arrives.
const removedFirst = (view: InterfaceView): number => (view.status === 'removed' ? 0 : 1)

const onSnapshot = (config: Config, state: State, raw: RawSnapshot, at: number): Transition => {
  const parsed = parseSnapshot(raw)
  if (!parsed.ok) return onSnapshotFailed(config, state, parsed.error, at)
  const snapshot = parsed.value
  const during = state.snapshot
  const views = reportableViews(snapshot, config.rules)
  const base: State = {
    ...state,
    names: new Map(snapshot.links.map((link) => [link.ifindex, link.ifname])),
    counts: { ...state.counts, snapshotsTaken: state.counts.snapshotsTaken + 1, lastSnapshotAt: at },
  }
  const effects: Effect[] =
    // Stryker disable next-line ConditionalExpression,StringLiteral: equivalent; the idle phase has no failures (undefined > 0 is false)
    during.phase !== 'idle' && during.failures > 0 ? [{ type: 'log', level: 'info', message: 'snapshot recovered', fields: { failures: during.failures } }] : []
  if (state.report === undefined) {
    const report = initialReport(views, at)
    return readDone({ state: { ...base, report }, emit: [discoveryFrom(report, at)], effects }, during)
  }

  const settling = during.phase === 'idle' ? EMPTY : during.settling
  const next = during.phase === 'idle' ? EMPTY : during.next
  const links = new Map<string, LinkSnapshot>(snapshot.links.map((link) => [link.ifname, link]))
  let report = state.report
  const changes: InterfaceView[] = []
  for (const name of settling) {
    const before = report.get(name)
    const after = views.get(name)
    if (after !== undefined) {
      if (!sameView(before?.view, after)) {
        report = new Map(report).set(name, { view: after, since: at })
        changes.push(after)
      }
    } else if (before !== undefined) {
      const left = new Map(report)
      left.delete(name)
      report = left
      changes.push(leavingView(before.view, links.get(name), config.rules))
    }
  }
  changes.sort((a, b) => a.index - b.index || removedFirst(a) - removedFirst(b))
  const emit: NetworkChange[] = changes.map((view) => ({ type: 'network_change', data: reportOf(view, at) }))
  const counts = { ...base.counts, changesEmitted: base.counts.changesEmitted + emit.length }

  const current = report
  const unsettled = [...new Set([...current.keys(), ...views.keys()])].filter(
    (name) => !settling.has(name) && !state.windows.has(name) && !next.has(name) && !sameView(current.get(name)?.view, views.get(name)),
  )
  return readDone({ state: openWindows(config, { ...base, report, counts }, unsettled, at), emit, effects }, during)
}

/**
 * The pure heart of netmon, built once with its options: `(state, input) -> transition`.
 * Same state and input in, same transition out; a no-op returns the same state, emits
 * nothing and asks for nothing.
 */
export const createReducer = (options: CoreOptions, retry: Backoff = DEFAULT_SNAPSHOT_RETRY): ((state: State, input: Input) => Transition) => {
  const config: Config = {
    debounceMs: options.debounceMs,
    maxWaitMs: options.maxWaitMs,
    rules: { isIgnored: compileIgnore([...DEFAULT_IGNORE, ...options.ignore]), acceptUnknownOperstate: options.acceptUnknownOperstate },
    retry,
  }
  return (state, input) => {
    switch (input.type) {
      case 'monitor-line':
        return passDeadlines(onMonitorLine(config, state, input.line, input.at), input.at)
      case 'snapshot':
        return passDeadlines(onSnapshot(config, state, input, input.at), input.at)
      case 'snapshot-failed':
        return passDeadlines(onSnapshotFailed(config, state, input.error, input.at), input.at)
      case 'tick':
        return passDeadlines(unchanged(state), input.at)
      case 'resync':
        return passDeadlines(resync(unchanged({ ...state, counts: { ...state.counts, resyncs: state.counts.resyncs + 1 } })), input.at)
      // Stryker disable next-line all: unreachable, as the compiler proves
      /* c8 ignore next 2 -- the compiler proves every input type is handled above */
      default:
        return unreachable(input)
    }
  }
}

/** How many interfaces wait in the debounce or for a snapshot. */
export const pendingCount = (state: State): number => {
  const { snapshot } = state
  const reading = snapshot.phase === 'idle' ? [] : [...snapshot.settling, ...snapshot.next]
  return new Set([...state.windows.keys(), ...reading]).size
}
