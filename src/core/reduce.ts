import { affected } from './monitor-scope.js'
import { parseMonitorLine } from './parse-monitor.js'
import { formatTimestamp, type InterfaceReport, type NetworkChange, type NetworkDiscovery } from './protocol.js'
import { unreachable } from './result.js'
import type { Input } from './inputs.js'
import type { LinkSnapshot, Snapshot } from './snapshot.js'
import type { DebounceWindow, ReportedInterface, State } from './state.js'
import { leavingView, reportableViews, sameView, type InterfaceView } from './view.js'

/** Work the core asks its adapters to do. */
export type Effect =
  /** Read `ip -json addr` and `ip -json route` and feed the result back as a `snapshot` input. */
  | { type: 'take-snapshot' }
  /** Something in the input was wrong; the core already resynced. */
  | { type: 'warn'; message: string }

export interface Step {
  state: State
  emit: NetworkChange[]
  effects: Effect[]
}

/*
 * Per interface:
 *
 *   (quiet) --record--> window open --record--> window open (lastAt moves)
 *                           | quiet for debounceMs, or open for maxWaitMs
 *                           v
 *                          due --snapshot requested--> settling --snapshot--> (quiet)
 *                                                                  emits network_change
 *                                                                  if the view differs
 *
 * A record during `due`/`settling` opens a new window beside it. A snapshot that shows an
 * interface differing from the report while no window is open (a lost record, a resync)
 * opens a window for it, so every change is debounced and read back before it is reported.
 */

const step = (state: State, emit: NetworkChange[] = [], effects: Effect[] = []): Step => ({ state, emit, effects })

const reportOf = (view: InterfaceView, at: number): InterfaceReport => {
  const { interface: name, index, operstate, ipv4_addresses, gateway, type, status } = view
  const report: InterfaceReport = { interface: name, index, operstate, ipv4_addresses, gateway, timestamp: formatTimestamp(at), type }
  return status === undefined ? report : { ...report, status }
}

const touch = (state: State, names: readonly (string | undefined)[], at: number): State => {
  let windows: Map<string, DebounceWindow> | undefined
  for (const name of new Set(names)) {
    if (name === undefined || state.rules.isIgnored(name)) continue
    windows ??= new Map(state.windows)
    const open = windows.get(name)
    windows.set(name, { openedAt: open?.openedAt ?? at, lastAt: at })
  }
  return windows === undefined ? state : { ...state, windows }
}


const requestSnapshot = (current: Step): Step => {
  const { state } = current
  if (state.snapshot !== 'idle') return current
  return {
    state: { ...state, snapshot: 'in-flight', settling: state.due, due: new Set() },
    emit: current.emit,
    effects: [...current.effects, { type: 'take-snapshot' }],
  }
}

const resync = (current: Step): Step => {
  const { state } = current
  if (state.snapshot === 'idle') return requestSnapshot(current)
  return state.snapshot === 'in-flight' ? { ...current, state: { ...state, snapshot: 'in-flight-stale' } } : current
}

const windowDeadline = (window: DebounceWindow, state: State): number =>
  Math.min(window.lastAt + state.options.debounceMs, window.openedAt + state.options.maxWaitMs)

/** The earliest time the core wants a `tick`, or undefined when nothing waits (idle). */
export const nextDeadline = (state: State): number | undefined => {
  let earliest: number | undefined
  for (const window of state.windows.values()) {
    const deadline = windowDeadline(window, state)
    if (earliest === undefined || deadline < earliest) earliest = deadline
  }
  return earliest
}

const closeWindows = (current: Step, at: number): Step => {
  const { state } = current
  const closing = [...state.windows].filter(([, window]) => windowDeadline(window, state) <= at)
  if (closing.length === 0) return current
  const windows = new Map(state.windows)
  const due = new Set(state.due)
  for (const [name] of closing) {
    windows.delete(name)
    due.add(name)
  }
  return requestSnapshot({ ...current, state: { ...state, windows, due } })
}

const onMonitorLine = (state: State, line: string, at: number): Step => {
  const parsed = parseMonitorLine(line)
  if (!parsed.ok) {
    return resync(step({ ...state, routeContext: 'other' }, [], [{ type: 'warn', message: `${parsed.error}; resyncing` }]))
  }
  const { names, context } = affected(state, parsed.value)
  const withContext = context === state.routeContext ? state : { ...state, routeContext: context }
  if (parsed.value.kind === 'json' && names.length === 0) {
    return resync(step(withContext, [], [{ type: 'warn', message: 'monitor JSON record names no interface; resyncing' }]))
  }
  return step(touch(withContext, names, at))
}

const initialReport = (views: Map<string, InterfaceView>, at: number): Map<string, ReportedInterface> =>
  new Map([...views].map(([name, view]) => [name, { view, since: at }]))

const onSnapshot = (state: State, snapshot: Snapshot, at: number): Step => {
  const views = reportableViews(snapshot, state.rules)
  const links = new Map<string, LinkSnapshot>(snapshot.links.map((link) => [link.ifname, link]))
  const names = new Map(snapshot.links.map((link) => [link.ifindex, link.ifname]))
  const phase = state.snapshot === 'in-flight-stale' ? 'stale' : state.snapshot
  const base: State = { ...state, names, snapshot: 'idle', settling: new Set() }
  const finish = (settled: Step): Step =>
    phase === 'stale' ? resync(settled) : settled.state.due.size > 0 ? requestSnapshot(settled) : settled
  if (!state.ready) return finish(step({ ...base, ready: true, reported: initialReport(views, at) }))

  const reported = new Map(state.reported)
  const changes: InterfaceView[] = []
  for (const name of state.settling) {
    const before = reported.get(name)
    const after = views.get(name)
    if (after !== undefined) {
      if (!sameView(before?.view, after)) {
        reported.set(name, { view: after, since: at })
        changes.push(after)
      }
    } else if (before !== undefined) {
      reported.delete(name)
      changes.push(leavingView(before.view, links.get(name), state.rules))
    }
  }
  // Kernel order; on a rename the old name leaves before the new one arrives.
  const removedFirst = (view: InterfaceView): number => (view.status === 'removed' ? 0 : 1)
  changes.sort((a, b) => a.index - b.index || removedFirst(a) - removedFirst(b))
  const emit: NetworkChange[] = changes.map((view) => ({ type: 'network_change', data: reportOf(view, at) }))

  const unsettled = [...new Set([...reported.keys(), ...views.keys()])].filter(
    (name) =>
      !state.settling.has(name) &&
      !state.windows.has(name) &&
      !state.due.has(name) &&
      !sameView(reported.get(name)?.view, views.get(name)),
  )
  return finish(step(touch({ ...base, reported }, unsettled, at), emit))
}

/**
 * The pure heart of netmon: `(state, input) -> (state, events to emit, effects)`. Same
 * state and input in, same step out; a no-op returns the same state and emits nothing.
 */
export const reduce = (state: State, input: Input): Step => {
  switch (input.type) {
    case 'monitor-line':
      return closeWindows(onMonitorLine(state, input.line, input.at), input.at)
    case 'snapshot':
      return closeWindows(onSnapshot(state, input.snapshot, input.at), input.at)
    case 'tick':
      return closeWindows(step(state), input.at)
    case 'resync':
      return closeWindows(resync(step(state)), input.at)
    default:
      return unreachable(input)
  }
}

/** The `network_discovery` a client receives on connect: everything reported so far. */
export const discoveryOf = (state: State, at: number): NetworkDiscovery => ({
  type: 'network_discovery',
  data: {
    interfaces: [...state.reported.values()]
      .sort((a, b) => a.view.index - b.view.index)
      .map(({ view, since }) => reportOf(view, since)),
    timestamp: formatTimestamp(at),
  },
})

/** The current view of every reported interface, as `get_interfaces` returns it. */
export const interfacesOf = (state: State, at: number): InterfaceReport[] => discoveryOf(state, at).data.interfaces

/** How many interfaces wait in the debounce or for a snapshot. */
export const pendingCount = (state: State): number =>
  new Set([...state.windows.keys(), ...state.due, ...state.settling]).size
