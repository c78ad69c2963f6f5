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
