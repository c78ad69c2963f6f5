import t from 'tap'
import { parseRouteSnapshot } from '../../src/core/parse-snapshot.js'
import { gatewaysOf } from '../../src/core/view.js'
import { diffViews, foldEvents, isDefaultRoute, viewOf, type AddrEntry, type RouteEntry } from './oracle.js'

const link = (ifindex: number, ifname: string, local: string): AddrEntry => ({
  ifindex,
  ifname,
  operstate: 'UP',
  addr_info: [{ family: 'inet', local, prefixlen: 24 }],
})

const LINKS = [link(2, 'ens1', '10.77.0.5'), link(3, 'ens2', '10.77.1.5')]

/** The gateways the daemon's own parser and view find in the same `ip -json route` output. */
const daemonGateways = (routes: RouteEntry[]): Record<string, string> => {
  const parsed = parseRouteSnapshot(routes)
  if (!parsed.ok) throw new Error(parsed.error)
  return Object.fromEntries(gatewaysOf(parsed.value))
}

const oracleGateways = (routes: RouteEntry[]): Record<string, string> =>
  Object.fromEntries(Object.entries(viewOf(LINKS, routes)).flatMap(([name, view]) => (view.gateway === null ? [] : [[name, view.gateway]])))

t.test('0.0.0.0/0 is a default route, as the daemon counts it', async (t) => {
  const routes: RouteEntry[] = [
    { dst: '0.0.0.0/0', gateway: '10.77.0.1', dev: 'ens1', metric: 20 },
    { dst: 'default', gateway: '10.77.0.9', dev: 'ens1', metric: 30 },
    { dst: '0.0.0.0/1', gateway: '10.77.1.2', dev: 'ens2' },
    { dst: '0.0.0.0/0', type: 'unreachable', metric: 1 },
  ]
  t.ok(isDefaultRoute({ dst: '0.0.0.0/0' }), 'the zero-length prefix written out')
  t.ok(isDefaultRoute({ dst: 'default' }), 'as `ip` prints it')
  t.notOk(isDefaultRoute({ dst: '0.0.0.0/1' }), 'half of IPv4 is not all of it')
  t.notOk(isDefaultRoute({ dst: 'default', type: 'blackhole' }), 'a typed route leads nowhere')
  t.same(oracleGateways(routes), { ens1: '10.77.0.1' }, 'the lowest metric wins across both spellings')
  t.same(oracleGateways(routes), daemonGateways(routes), 'the oracle and the daemon agree')
})

t.test('a multipath default counts through each of its nexthops', async (t) => {
  const routes: RouteEntry[] = [
    { dst: 'default', metric: 5, nexthops: [{ dev: 'ens1', gateway: '10.77.0.1' }, { dev: 'ens2', gateway: '10.77.1.1' }] },
    { dst: '0.0.0.0/0', gateway: '10.77.1.7', dev: 'ens2', metric: 9 },
  ]
  t.same(oracleGateways(routes), { ens1: '10.77.0.1', ens2: '10.77.1.1' })
  t.same(oracleGateways(routes), daemonGateways(routes), 'the oracle and the daemon agree')
})

t.test('the view skips what the seed never reports', async (t) => {
  const view = viewOf(
    [
      ...LINKS,
      link(1, 'lo', '127.0.0.1'),
      link(4, 'veth9', '10.9.0.1'),
      { ifindex: 5, ifname: 'ens5', operstate: 'DOWN', addr_info: [{ family: 'inet', local: '10.5.0.1', prefixlen: 24 }] },
      { ifindex: 6, ifname: 'ens6', operstate: 'UP', addr_info: [{ family: 'inet6', local: 'fe80::1', prefixlen: 64 }] },
    ],
    [],
  )
  t.same(Object.keys(view), ['ens1', 'ens2'])
  t.same(view.ens1, { index: 2, operstate: 'UP', addresses: ['10.77.0.5/24'], gateway: null })
})

t.test('a client folds its discovery and changes; replies and leaves are handled', async (t) => {
  const report = (name: string, index: number, address: string, extra: Record<string, unknown> = {}) => ({
    interface: name,
    index,
    operstate: 'UP',
    ipv4_addresses: [{ address, prefixlen: 24 }],
    gateway: null,
    ...extra,
  })
  const lines = [
    JSON.stringify({ type: 'network_discovery', data: { interfaces: [report('ens1', 2, '10.77.0.5'), report('ens2', 3, '10.77.1.5')] } }),
    JSON.stringify({ success: true, status: {} }),
    JSON.stringify({ type: 'network_change', data: report('ens1', 2, '10.77.0.6', { gateway: '10.77.0.1' }) }),
    JSON.stringify({ type: 'network_change', data: report('ens2', 3, '10.77.1.5', { status: 'down' }) }),
  ]
  const folded = foldEvents(lines)
  t.same(folded, { ens1: { index: 2, operstate: 'UP', addresses: ['10.77.0.6/24'], gateway: '10.77.0.1' } })
  t.same(diffViews(folded, folded), [], 'a view equals itself')
  t.same(diffViews(folded, {}), ['ens1: client {"index":2,"operstate":"UP","addresses":["10.77.0.6/24"],"gateway":"10.77.0.1"} kernel null'])
})
