/**
 * Wire types of the events in ../shared/seed/network-monitor.md. Field names, nesting and
 * value formats are a contract with deployed clients; `type` and `status` are the only
 * additions (issue 2).
 */

// Defined once in src/schema/protocol.ts, which also generates schema/netmon-protocol.schema.json.
export type {
  InterfaceReport,
  InterfaceType,
  Ipv4AddressReport,
  LeaveStatus,
  NetworkChange,
  NetworkDiscovery,
  ProtocolEvent,
} from '../schema/protocol.js'

/** One JSON line, newline included: the unit every writer sends in a single write. */
export const encodeLine = (message: object): string => `${JSON.stringify(message)}\n`

/**
 * The discovery line from interfaces already encoded as a JSON array: the same bytes as
 * `encodeLine(discovery)`, without encoding every interface again for every client that
 * connects (they change only with an event).
 */
export const encodeDiscoveryLine = (interfacesJson: string, timestamp: string): string =>
  `{"type":"network_discovery","data":{"interfaces":${interfacesJson},"timestamp":${JSON.stringify(timestamp)}}}\n`

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
