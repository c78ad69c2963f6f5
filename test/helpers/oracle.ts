import type { InterfaceReport, ProtocolEvent } from '../../src/core/protocol.js'
import type { TestNamespace } from './netns.js'

/**
 * What a client should believe about one interface, computed here without any of netmon's
 * code: the oracle side of the randomised tests.
 */
export interface ExpectedInterface {
  index: number
  operstate: string
  addresses: string[]
  gateway: string | null
}

interface AddrEntry {
  ifindex: number
  ifname: string
  operstate: string
  addr_info?: { family: string; local: string; prefixlen: number }[]
}

interface RouteEntry {
  dst: string
  type?: string
  dev?: string
  gateway?: string
  metric?: number
  nexthops?: { dev?: string; gateway?: string }[]
}

const IGNORED = /^(lo|docker0|veth.*)$/

/** The kernel's truth, read with ip -json and reduced by the seed's rules. */
export const kernelView = async (ns: TestNamespace): Promise<Record<string, ExpectedInterface>> => {
  const links = JSON.parse(await ns.ip('-json', 'addr', 'show')) as AddrEntry[]
  const routes = JSON.parse(await ns.ip('-4', '-json', 'route', 'show', 'table', 'main')) as RouteEntry[]
  const view: Record<string, ExpectedInterface> = {}
  for (const link of links) {
    if (!link.ifname || IGNORED.test(link.ifname) || link.operstate !== 'UP') continue
    const addresses = (link.addr_info ?? []).filter((a) => a.family === 'inet').map((a) => `${a.local}/${a.prefixlen}`)
    if (addresses.length === 0) continue
    let best: { metric: number; gateway: string } | undefined
    for (const route of routes) {
      if (route.dst !== 'default' || route.type !== undefined) continue
      const hops = route.nexthops ?? [{ dev: route.dev, gateway: route.gateway }]
      for (const hop of hops) {
        if (hop.dev !== link.ifname || hop.gateway === undefined) continue
        const metric = route.metric ?? 0
        if (best === undefined || metric < best.metric) best = { metric, gateway: hop.gateway }
      }
    }
    view[link.ifname] = { index: link.ifindex, operstate: link.operstate, addresses, gateway: best?.gateway ?? null }
  }
  return view
}

const expectedOf = (report: InterfaceReport): ExpectedInterface => ({
  index: report.index,
  operstate: report.operstate,
  addresses: report.ipv4_addresses.map((address) => `${address.address}/${address.prefixlen}`),
  gateway: report.gateway,
})

/** Folds a client's discovery and changes into what it believes, as the agent's cache does. */
export const foldEvents = (lines: readonly string[]): Record<string, ExpectedInterface> => {
  const view: Record<string, ExpectedInterface> = {}
  for (const line of lines) {
    const event = JSON.parse(line) as ProtocolEvent | { type?: undefined }
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

/** A small seeded PRNG (mulberry32), so a failing sequence can be replayed from its seed. */
export const seededRandom = (seed: number): (() => number) => {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let mixed = state
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1)
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61)
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296
  }
}
