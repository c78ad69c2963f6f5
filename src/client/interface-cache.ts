import { contains, networkOf, parseIpv4 } from '../core/ipv4.js'
import { sameView } from '../core/view.js'
import type { InterfaceReport, NetworkChange, NetworkDiscovery } from '../schema/protocol.js'

/** One interface entering, changing in, or leaving the cache. */
export interface InterfaceChange {
  name: string
  kind: 'added' | 'changed' | 'removed'
  /** The cached view before; undefined when added. */
  before: InterfaceReport | undefined
  /** The cached view after; undefined when removed. */
  after: InterfaceReport | undefined
  /** The report that caused it (for a removal it carries `status`); undefined when a discovery no longer lists it. */
  cause: InterfaceReport | undefined
}

export type InterfaceChangeListener = (change: InterfaceChange) => void

/** Anything with a `kind` that is not a discovery or change is ignored by `apply`. */
type Applicable = NetworkDiscovery | NetworkChange | { kind: string; event?: unknown }

/** True when the report says the interface is out of the report: down, removed or without IPv4. */
export const isLeaving = (report: InterfaceReport): boolean => report.status !== undefined || report.ipv4_addresses.length === 0

const byIndex = (a: InterfaceReport, b: InterfaceReport): number => a.index - b.index || a.interface.localeCompare(b.interface)

/**
 * The current view of the daemon's interfaces, folded from discovery and change events
 * (the orchestrator's INTERFACE_CACHE). A discovery replaces everything; a change with
 * `status`, or without addresses, removes the interface: the cache never keeps one that
 * the daemon reported down or removed.
 */
export class InterfaceCache {
  readonly #byName = new Map<string, InterfaceReport>()
  readonly #listeners = new Set<InterfaceChangeListener>()

  /**
   * Folds one event in and returns what changed (listeners are told after the cache is
   * updated). Accepts the protocol events or the client's `discovery`/`change` events.
   */
  apply(input: Applicable): InterfaceChange[] {
    const event = 'kind' in input ? input.event : input
    if (typeof event !== 'object' || event === null || !('type' in event)) return []
    const protocolEvent = event as NetworkDiscovery | NetworkChange
    const changes = protocolEvent.type === 'network_discovery' ? this.#replaceAll(protocolEvent.data.interfaces) : this.#applyOne(protocolEvent.data)
    for (const change of changes) for (const listener of [...this.#listeners]) listener(change)
    return changes
  }

  /** The cached report of `name`, if it is reported now. */
  get(name: string): InterfaceReport | undefined {
    return this.#byName.get(name)
  }

  /** Every reported interface, in kernel (ifindex) order. */
  all(): InterfaceReport[] {
    return [...this.#byName.values()].sort(byIndex)
  }

  /**
   * The interface whose subnet contains `address` (dotted-quad IPv4); the most specific
   * prefix wins, ties go to the lower ifindex. A /32 (as on point-to-point links, where the
   * report carries the local address) matches only that address. Undefined when no subnet
   * contains it or `address` is not IPv4.
   */
  interfaceFor(address: string): InterfaceReport | undefined {
    const target = parseIpv4(address)
    if (!target.ok) return undefined
    let best: { report: InterfaceReport; prefixlen: number } | undefined
    for (const report of this.all()) {
      for (const entry of report.ipv4_addresses) {
        const own = parseIpv4(entry.address)
        if (!own.ok || entry.prefixlen < 0 || entry.prefixlen > 32) continue
        if (!contains(networkOf(own.value, entry.prefixlen), entry.prefixlen, target.value)) continue
        if (best === undefined || entry.prefixlen > best.prefixlen) best = { report, prefixlen: entry.prefixlen }
      }
    }
    return best?.report
  }

  /** Calls `listener` on every change of any interface; returns the unsubscribe function. */
  onChange(listener: InterfaceChangeListener): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** Calls `listener` when interface `name` is added, changes or is removed (the "parent interface changed" trigger). */
  onInterfaceChange(name: string, listener: InterfaceChangeListener): () => void {
    return this.onChange((change) => {
      if (change.name === name) listener(change)
    })
  }

  #applyOne(report: InterfaceReport): InterfaceChange[] {
    const name = report.interface
    const before = this.#byName.get(name)
    if (isLeaving(report)) {
      if (before === undefined) return []
      this.#byName.delete(name)
      return [{ name, kind: 'removed', before, after: undefined, cause: report }]
    }
    this.#byName.set(name, report)
    if (before === undefined) return [{ name, kind: 'added', before, after: report, cause: report }]
    return sameView(before, report) ? [] : [{ name, kind: 'changed', before, after: report, cause: report }]
  }

  #replaceAll(reports: readonly InterfaceReport[]): InterfaceChange[] {
    const listed = new Set(reports.map((report) => report.interface))
    const changes: InterfaceChange[] = []
    for (const [name, before] of this.#byName) {
      if (listed.has(name)) continue
      this.#byName.delete(name)
      changes.push({ name, kind: 'removed', before, after: undefined, cause: undefined })
    }
    for (const report of reports) changes.push(...this.#applyOne(report))
    return changes
  }
}
