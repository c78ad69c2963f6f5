import type { Namespace } from './netns.js'

/** The part of an interface report the bench compares: what a client acts on. */
export interface SimpleView {
  operstate: string
  /** "address/prefixlen", sorted. */
  addresses: string[]
  gateway: string | null
}

type Json = Record<string, unknown>

const IGNORED = /^(lo|docker0|veth.*)$/

interface RouteJson {
  dst?: string
  type?: string
  dev?: string
  gateway?: string
  metric?: number
  nexthops?: { dev?: string; gateway?: string }[]
}

/**
 * The seed's view computed independently from `ip -json addr` and `ip -json route` (no
 * netmon code): UP links with IPv4, minus lo/docker0/veth*, gateway = the lowest-metric
 * default route through the link that names one.
 */
export const kernelView = async (ns: Namespace): Promise<Map<string, SimpleView>> => {
  const [addr, route] = await Promise.all([ns.ip('-json', 'addr', 'show'), ns.ip('-4', '-json', 'route', 'show', 'table', 'main')])
  const links = JSON.parse(addr.stdout) as { ifname?: string; operstate?: string; addr_info?: Json[] }[]
  const routes = JSON.parse(route.stdout) as RouteJson[]
  const views = new Map<string, SimpleView>()
  for (const link of links) {
    if (link.ifname === undefined || IGNORED.test(link.ifname) || link.operstate !== 'UP') continue
    const addresses = (link.addr_info ?? [])
      .filter((info) => info.family === 'inet')
      .map((info) => `${String(info.local)}/${String(info.prefixlen)}`)
      .sort()
    if (addresses.length === 0) continue
    let best: { gateway: string; metric: number } | undefined
    for (const entry of routes) {
      if (entry.type !== undefined || (entry.dst !== 'default' && entry.dst !== '0.0.0.0/0')) continue
      const hops = entry.nexthops ?? [{ dev: entry.dev, gateway: entry.gateway }]
      for (const hop of hops) {
        if (hop.dev !== link.ifname || hop.gateway === undefined) continue
        const metric = entry.metric ?? 0
        if (best === undefined || metric < best.metric) best = { gateway: hop.gateway, metric }
      }
    }
    views.set(link.ifname, { operstate: link.operstate, addresses, gateway: best?.gateway ?? null })
  }
  return views
}

const simpleOf = (report: Json): SimpleView => ({
  operstate: String(report.operstate),
  addresses: (Array.isArray(report.ipv4_addresses) ? (report.ipv4_addresses as Json[]) : [])
    .map((address) => `${String(address.address)}/${String(address.prefixlen)}`)
    .sort(),
  gateway: typeof report.gateway === 'string' ? report.gateway : null,
})

/** What a client knows after the discovery and every change since: the fold of its events. */
export const foldEvents = (discoveryLine: string, changes: readonly Json[]): Map<string, SimpleView> => {
  const discovery = JSON.parse(discoveryLine) as { data: { interfaces: Json[] } }
  const views = new Map<string, SimpleView>()
  for (const report of discovery.data.interfaces) views.set(String(report.interface), simpleOf(report))
  for (const change of changes) {
    const view = simpleOf(change)
    if (change.status !== undefined || view.addresses.length === 0) views.delete(String(change.interface))
    else views.set(String(change.interface), view)
  }
  return views
}

/** Human-readable differences between the client's view and the kernel's; empty when equal. */
export const diffViews = (client: Map<string, SimpleView>, kernel: Map<string, SimpleView>): string[] => {
  const differences: string[] = []
  for (const name of new Set([...client.keys(), ...kernel.keys()])) {
    const a = JSON.stringify(client.get(name) ?? null)
    const b = JSON.stringify(kernel.get(name) ?? null)
    if (a !== b) differences.push(`${name}: client ${a.slice(0, 120)} kernel ${b.slice(0, 120)}`)
  }
  return differences
}
