import type { MonitorLine } from './parse-monitor.js'
import { unreachable } from './result.js'

/**
 * `ip monitor` prints a multipath route as a header line and one indented `nexthop ... dev
 * X` line per path; only the header says whether the route is a default one. The assembler
 * carries that one fact from the header to its nexthop lines, so that what follows sees
 * each line as a whole record. It does not wait for the record's end (no line marks it):
 * a nexthop's device is reported as soon as its line arrives.
 *
 * `InDefaultRoute`: whether the last header began an IPv4 default route's record.
 *
 *   a header that is not an IPv4 default route   ─► false
 *   an IPv4 unicast default route in table main  ─► true
 *   nexthop / continuation lines                 ─► unchanged
 *   an unreadable line                           ─► false (see `forgetRecord`)
 */
export type InDefaultRoute = boolean

/** A monitor line read within its record. */
export type MonitorRecord =
  | Extract<MonitorLine, { kind: 'link' | 'addr' | 'json' }>
  /** A default route's device: the header's own `dev`, or one of its nexthops'. */
  | { kind: 'default-route-device'; dev: string; family: 'inet' | 'inet6' | undefined }
  /** Routes that cannot be a default route, their nexthops, and other continuation lines. */
  | { kind: 'no-interface' }

const DEFAULT_DESTINATIONS = new Set(['default', '0.0.0.0/0'])

type RouteLine = Extract<MonitorLine, { kind: 'route' }>

interface Assembled {
  inDefaultRoute: InDefaultRoute
  record: MonitorRecord
}

const isDefaultRoute = (line: RouteLine): boolean =>
  line.family === 'inet' && line.routeType === 'unicast' && line.table === 'main' && DEFAULT_DESTINATIONS.has(line.dst)

const NO_INTERFACE: MonitorRecord = { kind: 'no-interface' }

const routeRecord = (line: RouteLine): Assembled => {
  if (!isDefaultRoute(line)) return { inDefaultRoute: false, record: NO_INTERFACE }
  // A multipath default route's header names no device: its nexthop lines do.
  const record: MonitorRecord = line.dev === undefined ? NO_INTERFACE : { kind: 'default-route-device', dev: line.dev, family: line.family }
  return { inDefaultRoute: true, record }
}

/** Reads `line` within the record the last header began; returns the record and whether a default route's is open after it. */
export const assemble = (inDefaultRoute: InDefaultRoute, line: MonitorLine): Assembled => {
  switch (line.kind) {
    case 'link':
    case 'addr':
    case 'json':
      return { inDefaultRoute: false, record: line }
    case 'route':
      return routeRecord(line)
    case 'nexthop':
      return { inDefaultRoute, record: inDefaultRoute ? { kind: 'default-route-device', dev: line.dev, family: line.family } : NO_INTERFACE }
    case 'continuation':
      return { inDefaultRoute, record: NO_INTERFACE }
    // Stryker disable next-line all: unreachable, as the compiler proves
    /* c8 ignore next 2 -- the compiler proves every line kind is handled above */
    default:
      return unreachable(line)
  }
}

/** After a line that could not be read, no record is open: its nexthops would be guessed. */
export const forgetRecord = (): InDefaultRoute => false
