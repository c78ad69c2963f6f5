import type { LineCollector } from '../../test/helpers/lines.js'
import type { SocketClient } from '../../test/helpers/socket-client.js'
import { getStatus } from '../../test/helpers/status.js'
import { eventually } from '../../test/helpers/wait.js'
import { now } from './stats.js'

/** One line as it arrived: `at` is its arrival time, stamped before any parsing. */
export interface Received {
  at: number
  line: string
}

/**
 * A wait is cut into slices of this length: one whose source has ended (a closed socket, a
 * daemon gone) stops within a slice, and leaves no timer behind for longer.
 */
const SLICE_MS = 1000

/**
 * The first line at index >= `from` that satisfies `match`, with its arrival time; undefined
 * after `timeoutMs`, or once `ended()` says no line can come any more.
 */
export const arrival = async (
  lines: LineCollector,
  match: (line: string) => boolean,
  timeoutMs: number,
  from = 0,
  ended: () => boolean = () => false,
): Promise<Received | undefined> => {
  const giveUp = now() + timeoutMs
  const line = await eventually(() => lines.waitFor(match, Math.max(1, Math.min(SLICE_MS, giveUp - now())), from), timeoutMs, {
    everyMs: 0,
    retryIf: () => !ended() && now() < giveUp,
  }).catch(() => undefined)
  if (line === undefined) return undefined
  return { at: lines.arrivals[lines.lines.indexOf(line, from)] ?? now(), line }
}

/** `arrival` on a socket client's lines, ending when the connection closes. */
export const clientArrival = (client: SocketClient, match: (line: string) => boolean, timeoutMs: number, from = 0): Promise<Received | undefined> => {
  let closed = false
  void client.closed.then(() => (closed = true))
  return arrival(client.lines, match, timeoutMs, from, () => closed)
}

export const isDiscovery = (line: string): boolean => line.startsWith('{"type":"network_discovery"')

/** The client's discovery line and when it arrived; undefined after `timeoutMs`. */
export const discoveryOf = (client: SocketClient, timeoutMs: number): Promise<Received | undefined> => clientArrival(client, isDiscovery, timeoutMs)

type Json = Record<string, unknown>

/** The network_change events received at index >= `from`, parsed, with their arrival times. */
export const changesOf = (client: SocketClient, from = 0): { at: number; data: Json }[] =>
  client.lines.lines.flatMap((line, index) =>
    index >= from && line.startsWith('{"type":"network_change"')
      ? [{ at: client.lines.arrivals[index] ?? now(), data: (JSON.parse(line) as { data: Json }).data }]
      : [],
  )

/** The daemon's `get_status` figures the bench uses. */
export interface DaemonStatusFigures {
  snapshotsTaken: number
  eventsEmitted: number
  pendingInterfaces: number
  overruns: number
  monitorPid: number | null
  resyncs: number
}

export const statusOf = async (client: SocketClient): Promise<DaemonStatusFigures> => {
  const status: Json = await getStatus(client, 5000)
  const monitor = (status.monitor ?? {}) as Json
  const num = (value: unknown): number => (typeof value === 'number' ? value : 0)
  return {
    snapshotsTaken: num(status.snapshots_taken),
    eventsEmitted: num(status.events_emitted),
    pendingInterfaces: num(status.pending_interfaces),
    overruns: num(monitor.overruns),
    monitorPid: typeof monitor.pid === 'number' ? monitor.pid : null,
    resyncs: num(status.resyncs),
  }
}
