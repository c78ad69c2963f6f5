import { connect, type ClientEvent, type ConnectOptions } from '../client/connect.js'
import type { InterfaceReport } from '../schema/protocol.js'
import { unreachable } from '../core/result.js'
import type { CliIo } from './io.js'

export interface WatchOptions {
  socket: string
  json: boolean
}

const describeInterface = (report: InterfaceReport): string => {
  const addresses = report.ipv4_addresses.map((address) => `${address.address}/${address.prefixlen}`).join(',') || '-'
  const status = report.status === undefined ? '' : ` [${report.status}]`
  return `${report.interface}#${report.index} ${report.operstate}${status} ${report.type} ${addresses} gw ${report.gateway ?? '-'}`
}

/**
 * One client event as `netmon watch` prints it: `out` goes to stdout (the events, readable
 * or as JSON lines), `err` to stderr (the connection's story and bad lines' reasons).
 */
export const renderEvent = (event: ClientEvent, json: boolean): { out?: string; err?: string } => {
  switch (event.kind) {
    case 'discovery': {
      if (json) return { out: JSON.stringify(event.event) }
      const { interfaces, timestamp } = event.event.data
      const lines = interfaces.map((report) => `  ${describeInterface(report)}`)
      const label = event.resync ? 'discovery (after reconnecting)' : 'discovery'
      return { out: [`${timestamp} ${label}: ${interfaces.length} interface(s)`, ...lines].join('\n') }
    }
    case 'change':
      return { out: json ? JSON.stringify(event.event) : `${event.event.data.timestamp} change ${describeInterface(event.event.data)}` }
    case 'unknown':
      return { out: JSON.stringify(event.message), err: json ? undefined : `unknown event type ${JSON.stringify(event.type)}` }
    case 'malformed':
      return { out: json ? event.line : `? ${event.line}`, err: `bad line: ${event.reason}` }
    case 'connected':
      return { err: `connected to ${event.socket}` }
    case 'disconnected':
      return { err: `disconnected (${event.reason}); reconnecting` }
    case 'retrying':
      return { err: event.attempt <= 2 && event.error !== 'closed by the daemon' ? `cannot reach the daemon (${event.error}); retrying in ${event.delayMs} ms` : undefined }
    /* c8 ignore next 2 -- the compiler proves every event kind is handled above */
    default:
      return unreachable(event)
  }
}

/** `netmon watch`: prints events as they come, and reconnects when the daemon restarts. */
export const watchCommand = async (options: WatchOptions, io: CliIo, connectOptions: ConnectOptions = {}): Promise<number> => {
  const stop = new AbortController()
  const removeHandler = io.onStopSignal(() => stop.abort())
  try {
    for await (const event of connect({ ...connectOptions, socket: options.socket, signal: stop.signal })) {
      const { out, err } = renderEvent(event, options.json)
      if (out !== undefined && (out !== '' || event.kind !== 'malformed')) io.writeOut(`${out}\n`)
      if (err !== undefined) io.writeErr(`${err}\n`)
    }
  } finally {
    removeHandler()
  }
  return 0
}
