import { isRecord } from './is-record.js'
import { fail, ok, type Result } from './result.js'
import type { LinkSnapshot, RouteSnapshot, Snapshot } from './snapshot.js'

const optionalString = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : undefined

/** A type guard, so one check both narrows and refuses: Number.isInteger is false for any non-number. */
const isInteger = (value: unknown): value is number => Number.isInteger(value)

const stringArray = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []

const parseLink = (entry: unknown, position: number): Result<LinkSnapshot> => {
  if (!isRecord(entry)) return fail(`addr entry ${position} is not an object`)
  const { ifindex, ifname, operstate } = entry
  if (!isInteger(ifindex)) {
    return fail(`addr entry ${position} has no integer "ifindex"`)
  }
  if (typeof ifname !== 'string' || ifname === '') {
    return fail(`addr entry ${position} has no "ifname"`)
  }
  const ipv4: LinkSnapshot['ipv4'] = []
  // Stryker disable next-line ArrayDeclaration: equivalent; the loop skips whatever is not an object, so a placeholder in the empty list is skipped too
  const addrInfo = Array.isArray(entry.addr_info) ? entry.addr_info : []
  for (const address of addrInfo) {
    if (!isRecord(address) || address.family !== 'inet') continue
    const { local, prefixlen } = address
    if (typeof local !== 'string' || typeof prefixlen !== 'number') {
      return fail(`addr entry ${position} (${ifname}) has an inet address without "local"/"prefixlen"`)
    }
    ipv4.push({ local, prefixlen })
  }
  return ok({
    ifindex,
    ifname,
    operstate: typeof operstate === 'string' ? operstate : 'UNKNOWN',
    flags: stringArray(entry.flags),
    ipv4,
    wireless: false,
  })
}

/** Parses the JSON value printed by `ip -json addr show`. */
export const parseAddrSnapshot = (json: unknown): Result<LinkSnapshot[]> => {
  if (!Array.isArray(json)) return fail('`ip -json addr show` did not print a JSON array')
  const links: LinkSnapshot[] = []
  for (const [position, entry] of json.entries()) {
    // `ip -json addr` prints `{}` for links that vanish while it dumps them.
    if (isRecord(entry) && Object.keys(entry).length === 0) continue
    const link = parseLink(entry, position)
    if (!link.ok) return link
    links.push(link.value)
  }
  return ok(links)
}

const parseRoute = (entry: unknown, position: number): Result<RouteSnapshot> => {
  if (!isRecord(entry)) return fail(`route entry ${position} is not an object`)
  if (typeof entry.dst !== 'string') return fail(`route entry ${position} has no "dst"`)
  const metric = entry.metric ?? 0
  if (typeof metric !== 'number') return fail(`route entry ${position} has a non-numeric "metric"`)
  const nexthops = Array.isArray(entry.nexthops)
    ? entry.nexthops.filter(isRecord).map((hop) => ({
        dev: optionalString(hop.dev),
        gateway: optionalString(hop.gateway),
      }))
    : []
  return ok({
    dst: entry.dst,
    type: optionalString(entry.type),
    dev: optionalString(entry.dev),
    gateway: optionalString(entry.gateway),
    metric,
    nexthops,
  })
}

/** Parses the JSON value printed by `ip -4 -json route show table main`. */
export const parseRouteSnapshot = (json: unknown): Result<RouteSnapshot[]> => {
  if (!Array.isArray(json)) return fail('`ip -json route show` did not print a JSON array')
  const routes: RouteSnapshot[] = []
  for (const [position, entry] of json.entries()) {
    const route = parseRoute(entry, position)
    if (!route.ok) return route
    routes.push(route.value)
  }
  return ok(routes)
}

/** What the snapshot adapter read, before parsing: recorded verbatim in fixtures. */
export interface RawSnapshot {
  /** The JSON value printed by `ip -json addr show`. */
  addr: unknown
  /** The JSON value printed by `ip -4 -json route show table main`. */
  route: unknown
  /** Names of links that sysfs marks wireless. */
  wireless: string[]
}

/** Parses a raw snapshot; the same path serves the live daemon and fixture replay. */
export const parseSnapshot = (raw: RawSnapshot): Result<Snapshot> => {
  const links = parseAddrSnapshot(raw.addr)
  if (!links.ok) return links
  const routes = parseRouteSnapshot(raw.route)
  if (!routes.ok) return routes
  const wireless = new Set(raw.wireless)
  return ok({
    links: links.value.map((link) => ({ ...link, wireless: wireless.has(link.ifname) })),
    routes: routes.value,
  })
}
