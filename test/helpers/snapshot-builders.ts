import type { RawSnapshot } from '../../src/core/parse-snapshot.js'
import type { LinkSnapshot, RouteSnapshot, Snapshot } from '../../src/core/snapshot.js'

/** Builders for hand-written snapshots in unit tests. */
export const link = (ifindex: number, ifname: string, addresses: string[] = [], extra: Partial<LinkSnapshot> = {}): LinkSnapshot => ({
  ifindex,
  ifname,
  operstate: 'UP',
  flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
  ipv4: addresses.map((cidr) => {
    const [local = '', prefixlen = '32'] = cidr.split('/')
    return { local, prefixlen: Number(prefixlen) }
  }),
  wireless: false,
  ...extra,
})

export const defaultRoute = (dev: string, gateway: string, metric = 0): RouteSnapshot => ({
  dst: 'default',
  dev,
  gateway,
  metric,
  nexthops: [],
})

export const snapshot = (links: LinkSnapshot[], routes: RouteSnapshot[] = []): Snapshot => ({ links, routes })

/** A snapshot as `ip -json` prints it (what the core's `snapshot` input carries). */
export const raw = ({ links, routes }: Snapshot): RawSnapshot => ({
  addr: links.map((entry) => ({
    ifindex: entry.ifindex,
    ifname: entry.ifname,
    flags: entry.flags,
    operstate: entry.operstate,
    addr_info: entry.ipv4.map(({ local, prefixlen }) => ({ family: 'inet', local, prefixlen })),
  })),
  route: routes.map(({ nexthops, ...route }) => (nexthops.length > 0 ? { ...route, nexthops } : route)),
  wireless: links.filter((entry) => entry.wireless).map((entry) => entry.ifname),
})
