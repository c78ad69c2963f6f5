import { formatTimestamp, type InterfaceReport, type NetworkDiscovery } from './protocol.js'
import type { ReportedInterface, State } from './state.js'
import type { InterfaceView } from './view.js'

/** An interface's view as the protocol reports it, stamped with `at`. */
export const reportOf = (view: InterfaceView, at: number): InterfaceReport => {
  const { interface: name, index, operstate, ipv4_addresses, gateway, type, status } = view
  const report: InterfaceReport = { interface: name, index, operstate, ipv4_addresses, gateway, timestamp: formatTimestamp(at), type }
  return status === undefined ? report : { ...report, status }
}

/** The `network_discovery` of a report: every interface at the moment it was first reported. */
export const discoveryFrom = (report: ReadonlyMap<string, ReportedInterface>, at: number): NetworkDiscovery => ({
  type: 'network_discovery',
  data: {
    interfaces: [...report.values()].sort((a, b) => a.view.index - b.view.index).map(({ view, since }) => reportOf(view, since)),
    timestamp: formatTimestamp(at),
  },
})

/** False until the first snapshot has set the report. */
export const isReady = (state: State): boolean => state.report !== undefined

/** The `network_discovery` a client receives on connect: everything reported so far. */
export const discoveryOf = (state: State, at: number): NetworkDiscovery => discoveryFrom(state.report ?? new Map(), at)

/** The current view of every reported interface, as `get_interfaces` returns it. */
export const interfacesOf = (state: State, at: number): InterfaceReport[] => discoveryOf(state, at).data.interfaces
