/**
 * Wire types of the events in ../shared/seed/network-monitor.md. Field names, nesting and
 * value formats are a contract with deployed clients; `type` and `status` are the only
 * additions (issue 2).
 */

export interface Ipv4AddressReport {
  address: string
  prefixlen: number
  subnet: string
  network_address: string
}

export type InterfaceType = 'ethernet' | 'wifi'

/** Present only on a change that takes an interface out of the report. */
export type LeaveStatus = 'down' | 'removed'

export interface InterfaceReport {
  interface: string
  index: number
  operstate: string
  ipv4_addresses: Ipv4AddressReport[]
  gateway: string | null
  timestamp: string
  type: InterfaceType
  status?: LeaveStatus
}

export interface NetworkDiscovery {
  type: 'network_discovery'
  data: { interfaces: InterfaceReport[]; timestamp: string }
}

export interface NetworkChange {
  type: 'network_change'
  data: InterfaceReport
}

export type ProtocolEvent = NetworkDiscovery | NetworkChange

/** One JSON line, newline included: the unit every writer sends in a single write. */
export const encodeLine = (message: object): string => `${JSON.stringify(message)}\n`

const pad = (value: number, width: number): string => String(value).padStart(width, '0')

/**
 * The seed's timestamp: local time, microseconds, no zone (`2025-11-20T20:30:45.123456`).
 * `atMs` is milliseconds since the epoch and may carry a fraction.
 */
export const formatTimestamp = (atMs: number): string => {
  const micros = Math.round(atMs * 1000)
  const wholeMs = Math.floor(micros / 1000)
  const date = new Date(wholeMs)
  const fraction = pad(micros - Math.floor(micros / 1_000_000) * 1_000_000, 6)
  return (
    `${pad(date.getFullYear(), 4)}-${pad(date.getMonth() + 1, 2)}-${pad(date.getDate(), 2)}` +
    `T${pad(date.getHours(), 2)}:${pad(date.getMinutes(), 2)}:${pad(date.getSeconds(), 2)}.${fraction}`
  )
}
