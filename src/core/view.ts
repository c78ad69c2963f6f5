import { formatIpv4, networkOf, parseIpv4 } from './ipv4.js'
import type { InterfaceReport, InterfaceType, Ipv4AddressReport, LeaveStatus } from './protocol.js'
import type { LinkSnapshot, RouteSnapshot, Snapshot } from './snapshot.js'

/** What the protocol says about one interface, minus the timestamp. */
export type InterfaceView = Omit<InterfaceReport, 'timestamp'>

/** The reporting rules that options can change. */
export interface ViewRules {
  isIgnored: (ifname: string) => boolean
  /** Also report operstate UNKNOWN when the flags say UP and LOWER_UP (tun, WireGuard, ...). */
  acceptUnknownOperstate: boolean
}

/** Operstate the seed reports for a link that no longer exists (the kernel's own word). */
export const REMOVED_OPERSTATE = 'NOTPRESENT'

const WIFI_NAMES = /^(wlan|wlp|wlx)/

const interfaceType = (link: LinkSnapshot): InterfaceType =>
  link.wireless === true || WIFI_NAMES.test(link.ifname) ? 'wifi' : 'ethernet'

const isOperational = (link: LinkSnapshot, rules: ViewRules): boolean =>
  link.operstate === 'UP' ||
  (rules.acceptUnknownOperstate &&
    link.operstate === 'UNKNOWN' &&
    link.flags.includes('UP') &&
    link.flags.includes('LOWER_UP'))

const addressReport = ({ local, prefixlen }: LinkSnapshot['ipv4'][number]): Ipv4AddressReport => {
  const parsed = parseIpv4(local)
  const network =
    parsed.ok &&
    prefixlen >= 0 &&
    // Stryker disable next-line EqualityOperator: equivalent; at /32 the network is the address, and parseIpv4 reads only the canonical text formatIpv4 writes back
    prefixlen <= 32
      ? formatIpv4(networkOf(parsed.value, prefixlen))
      : local
  return { address: local, prefixlen, subnet: `${network}/${prefixlen}`, network_address: network }
}

const isDefault = (route: RouteSnapshot): boolean =>
  route.type === undefined && (route.dst === 'default' || route.dst === '0.0.0.0/0')

/**
 * Every interface's IPv4 default gateway in the main table, in one pass over the routes:
 * the lowest metric among default routes through it that name a gateway (a multipath
 * default counts via its nexthop on that interface); ties go to kernel order.
 */
export const gatewaysOf = (routes: readonly RouteSnapshot[]): Map<string, string> => {
  const best = new Map<string, { gateway: string; metric: number }>()
  for (const route of routes) {
    if (!isDefault(route)) continue
    const hops = route.nexthops.length > 0 ? route.nexthops : [{ dev: route.dev, gateway: route.gateway }]
    for (const { dev, gateway } of hops) {
      if (dev === undefined || gateway === undefined) continue
      const current = best.get(dev)
      if (current === undefined || route.metric < current.metric) best.set(dev, { gateway, metric: route.metric })
    }
  }
  return new Map([...best].map(([dev, { gateway }]) => [dev, gateway]))
}

/** The view of a link if the seed's rules report it now, else undefined. */
export const reportableView = (
  link: LinkSnapshot,
  gateways: ReadonlyMap<string, string>,
  rules: ViewRules,
): InterfaceView | undefined => {
  if (rules.isIgnored(link.ifname) || !isOperational(link, rules) || link.ipv4.length === 0) return undefined
  return {
    interface: link.ifname,
    index: link.ifindex,
    operstate: link.operstate,
    ipv4_addresses: link.ipv4.map(addressReport),
    gateway: gateways.get(link.ifname) ?? null,
    type: interfaceType(link),
  }
}

/** Every interface the snapshot reports, by name, in kernel (ifindex) order. */
export const reportableViews = (snapshot: Snapshot, rules: ViewRules): Map<string, InterfaceView> => {
  const views = new Map<string, InterfaceView>()
  const gateways = gatewaysOf(snapshot.routes)
  for (const link of [...snapshot.links].sort((a, b) => a.ifindex - b.ifindex)) {
    const view = reportableView(link, gateways, rules)
    if (view !== undefined) views.set(link.ifname, view)
  }
  return views
}

/**
 * The view that tells clients a reported interface left the report: no addresses, no
 * gateway, and `status` when the link went down or vanished.
 */
export const leavingView = (before: InterfaceView, link: LinkSnapshot | undefined, rules: ViewRules): InterfaceView => {
  const status: LeaveStatus | undefined =
    link === undefined ? 'removed' : isOperational(link, rules) ? undefined : 'down'
  const left: InterfaceView = {
    interface: before.interface,
    index: link?.ifindex ?? before.index,
    operstate: link?.operstate ?? REMOVED_OPERSTATE,
    ipv4_addresses: [],
    gateway: null,
    type: link === undefined ? before.type : interfaceType(link),
  }
  return status === undefined ? left : { ...left, status }
}

/** True when two views would tell a client the same thing. */
export const sameView = (a: InterfaceView | undefined, b: InterfaceView | undefined): boolean => {
  if (a === undefined || b === undefined) return a === b
  return (
    a.interface === b.interface &&
    a.index === b.index &&
    a.operstate === b.operstate &&
    a.gateway === b.gateway &&
    a.type === b.type &&
    a.status === b.status &&
    a.ipv4_addresses.length === b.ipv4_addresses.length &&
    a.ipv4_addresses.every(
      (address, position) =>
        // Stryker disable next-line OptionalChaining: equivalent; the lengths are equal (above), so b has an address at every position of a's; `?.` is for the compiler
        address.address === b.ipv4_addresses[position]?.address &&
        // Stryker disable next-line OptionalChaining: equivalent; as above
        address.prefixlen === b.ipv4_addresses[position]?.prefixlen,
    )
  )
}
