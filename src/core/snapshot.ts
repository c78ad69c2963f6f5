/** What `ip -json addr show` says about one link, reduced to what the view needs. */
export interface LinkSnapshot {
  ifindex: number
  ifname: string
  operstate: string
  flags: string[]
  /** IPv4 addresses in kernel order; `local` is the interface's own (point-to-point too). */
  ipv4: { local: string; prefixlen: number }[]
  /** Sysfs shows `wireless` or `phy80211` for it (the name is a fallback, see view.ts). */
  wireless: boolean
}

/** What `ip -json route show` says about one IPv4 route of the main table. */
export interface RouteSnapshot {
  dst: string
  /** Route type when not unicast (`unreachable`, `blackhole`, ...). */
  type?: string
  dev?: string
  gateway?: string
  /** A missing metric means 0. */
  metric: number
  nexthops: { dev?: string; gateway?: string }[]
}

/** The truth read back from the kernel at one moment. */
export interface Snapshot {
  links: LinkSnapshot[]
  routes: RouteSnapshot[]
}
