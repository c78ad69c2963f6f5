/**
 * The oracle of the randomised tests and the bench: what a client should believe about the
 * interfaces, computed from `ip -json` with none of netmon's code (not even its types).
 */

/** What a client should believe about one interface. */
export interface ExpectedInterface {
  index: number
  operstate: string
  /** "address/prefixlen", in kernel order. */
  addresses: string[]
  gateway: string | null
}

/** Interface name -> what a client should believe about it. */
export type ExpectedView = Record<string, ExpectedInterface>

/** One link of `ip -json addr show`, the fields the seed reads. */
export interface AddrEntry {
  ifindex: number
  ifname: string
  operstate: string
  addr_info?: { family: string; local: string; prefixlen: number }[]
}

/** One route of `ip -4 -json route show table main`, the fields the seed reads. */
export interface RouteEntry {
  dst: string
  type?: string
  dev?: string
  gateway?: string
  metric?: number
  nexthops?: { dev?: string; gateway?: string }[]
}

const IGNORED = /^(lo|docker0|veth.*)$/

/**
 * A unicast route to all of IPv4. `ip` prints it as "default" (the kernel sends no
 * destination for a zero-length prefix); "0.0.0.0/0" is the same prefix written out, and the
 * daemon counts both (src/core/view.ts).
 */
export const isDefaultRoute = (route: RouteEntry): boolean => route.type === undefined && (route.dst === 'default' || route.dst === '0.0.0.0/0')

/** The lowest-metric default route's gateway through `ifname` (a multipath route by its nexthop there). */
const gatewayOf = (ifname: string, routes: readonly RouteEntry[]): string | null => {
  let best: { metric: number; gateway: string } | undefined
  for (const route of routes) {
    if (!isDefaultRoute(route)) continue
    const hops = route.nexthops ?? [{ dev: route.dev, gateway: route.gateway }]
    for (const hop of hops) {
      if (hop.dev !== ifname || hop.gateway === undefined) continue
      const metric = route.metric ?? 0
      if (best === undefined || metric < best.metric) best = { metric, gateway: hop.gateway }
    }
  }
  return best?.gateway ?? null
}

/** The seed's rules over parsed `ip -json` output: UP links with IPv4, minus lo/docker0/veth*. */
export const viewOf = (links: readonly AddrEntry[], routes: readonly RouteEntry[]): ExpectedView => {
  const view: ExpectedView = {}
  for (const link of links) {
    if (!link.ifname || IGNORED.test(link.ifname) || link.operstate !== 'UP') continue
    const addresses = (link.addr_info ?? []).filter((a) => a.family === 'inet').map((a) => `${a.local}/${a.prefixlen}`)
    if (addresses.length === 0) continue
    view[link.ifname] = { index: link.ifindex, operstate: link.operstate, addresses, gateway: gatewayOf(link.ifname, routes) }
  }
  return view
}

/** The kernel's truth in namespace `ns`, read with `ip -json`. */
export const kernelView = async (ns: { ip(...args: string[]): Promise<string> }): Promise<ExpectedView> => {
  const links = JSON.parse(await ns.ip('-json', 'addr', 'show')) as AddrEntry[]
  const routes = JSON.parse(await ns.ip('-4', '-json', 'route', 'show', 'table', 'main')) as RouteEntry[]
  return viewOf(links, routes)
}

/** One interface report of a discovery or change line, the fields a client acts on. */
interface ReportEntry {
  interface: string
  index: number
  operstate: string
  ipv4_addresses: { address: string; prefixlen: number }[]
  gateway: string | null
  status?: string
}

type EventEntry = { type: 'network_discovery'; data: { interfaces: ReportEntry[] } } | { type: 'network_change'; data: ReportEntry }

const expectedOf = (report: ReportEntry): ExpectedInterface => ({
  index: report.index,
  operstate: report.operstate,
  addresses: report.ipv4_addresses.map((address) => `${address.address}/${address.prefixlen}`),
  gateway: report.gateway,
})

/** Folds the lines a client received (command replies are skipped) into what it believes, as the agent's cache does. */
export const foldEvents = (lines: readonly string[]): ExpectedView => {
  const view: ExpectedView = {}
  for (const line of lines) {
    const event = JSON.parse(line) as EventEntry | { type?: undefined }
    if (event.type === 'network_discovery') {
      for (const name of Object.keys(view)) delete view[name]
      for (const report of event.data.interfaces) view[report.interface] = expectedOf(report)
    } else if (event.type === 'network_change') {
      const report = event.data
      if (report.status !== undefined || report.ipv4_addresses.length === 0) delete view[report.interface]
      else view[report.interface] = expectedOf(report)
    }
  }
  return view
}

/** One line per interface on which two views differ; empty when they are equal. */
export const diffViews = (client: ExpectedView, kernel: ExpectedView): string[] => {
  const differences: string[] = []
  for (const name of new Set([...Object.keys(client), ...Object.keys(kernel)])) {
    const a = JSON.stringify(client[name] ?? null)
    const b = JSON.stringify(kernel[name] ?? null)
    if (a !== b) differences.push(`${name}: client ${a.slice(0, 120)} kernel ${b.slice(0, 120)}`)
  }
  return differences
}
