import t from 'tap'
import { parseAddrSnapshot, parseRouteSnapshot, parseSnapshot } from '../../src/core/parse-snapshot.js'

const addr = [
  {
    ifindex: 2,
    ifname: 'ens37',
    flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
    operstate: 'UP',
    addr_info: [
      { family: 'inet', local: '192.168.1.50', prefixlen: 24, scope: 'global' },
      { family: 'inet', local: '10.9.0.1', address: '10.9.0.2', prefixlen: 32 },
      { family: 'inet6', local: 'fe80::1', prefixlen: 64 },
    ],
  },
  {},
]

t.test('addresses: inet only, local for point-to-point, vanished links skipped', async (t) => {
  t.same(parseAddrSnapshot(addr), {
    ok: true,
    value: [
      {
        ifindex: 2,
        ifname: 'ens37',
        operstate: 'UP',
        flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
        ipv4: [
          { local: '192.168.1.50', prefixlen: 24 },
          { local: '10.9.0.1', prefixlen: 32 },
        ],
        wireless: false,
      },
    ],
  })
})

t.test('addresses: malformed input is an error naming the entry', async (t) => {
  t.match(parseAddrSnapshot({}), { ok: false, error: /JSON array/ })
  t.match(parseAddrSnapshot([1]), { ok: false, error: /entry 0 is not an object/ })
  t.match(parseAddrSnapshot([{ ifname: 'x' }]), { ok: false, error: /ifindex/ })
  t.match(parseAddrSnapshot([{ ifindex: 3 }]), { ok: false, error: /ifname/ })
  t.match(parseAddrSnapshot([{ ifindex: 3, ifname: 'x', addr_info: [{ family: 'inet' }] }]), { ok: false, error: /local/ })
  t.same(parseAddrSnapshot([{ ifindex: 3, ifname: 'x' }]), { ok: true, value: [{ ifindex: 3, ifname: 'x', operstate: 'UNKNOWN', flags: [], ipv4: [], wireless: false }] })
})

t.test('routes: metric defaults to 0, nexthops kept, types kept', async (t) => {
  t.same(
    parseRouteSnapshot([
      { dst: 'default', gateway: '10.0.0.1', dev: 'eth1', flags: [] },
      { dst: 'default', metric: 5, nexthops: [{ gateway: '10.0.0.2', dev: 'ens37' }, 'bad'] },
      { type: 'unreachable', dst: 'default', metric: 1 },
    ]),
    {
      ok: true,
      value: [
        { dst: 'default', type: undefined, dev: 'eth1', gateway: '10.0.0.1', metric: 0, nexthops: [] },
        { dst: 'default', type: undefined, dev: undefined, gateway: undefined, metric: 5, nexthops: [{ dev: 'ens37', gateway: '10.0.0.2' }] },
        { dst: 'default', type: 'unreachable', dev: undefined, gateway: undefined, metric: 1, nexthops: [] },
      ],
    },
  )
  t.match(parseRouteSnapshot('x'), { ok: false })
  t.match(parseRouteSnapshot([null]), { ok: false, error: /not an object/ })
  t.match(parseRouteSnapshot([{}]), { ok: false, error: /dst/ })
  t.match(parseRouteSnapshot([{ dst: 'default', metric: 'x' }]), { ok: false, error: /metric/ })
})

t.test('a raw snapshot marks wireless links from the sysfs list', async (t) => {
  const parsed = parseSnapshot({ addr, route: [], wireless: ['ens37'] })
  t.match(parsed, { ok: true, value: { links: [{ ifname: 'ens37', wireless: true }], routes: [] } })
  t.match(parseSnapshot({ addr: null, route: [], wireless: [] }), { ok: false })
  t.match(parseSnapshot({ addr: [], route: null, wireless: [] }), { ok: false })
})

t.test('fields of the wrong type are refused or dropped, never passed through', async (t) => {
  const link = (entry: Record<string, unknown>) => parseAddrSnapshot([{ ifindex: 2, ifname: 'ens37', operstate: 'UP', ...entry }])
  t.same(link({ ifindex: '2' }), { ok: false, error: 'addr entry 0 has no integer "ifindex"' })
  t.same(link({ ifindex: 2.5 }), { ok: false, error: 'addr entry 0 has no integer "ifindex"' })
  t.same(link({ ifname: '' }), { ok: false, error: 'addr entry 0 has no "ifname"' })
  t.match(link({ ifname: 'Stryker was here!' }), { ok: true }, 'any non-empty name')
  t.same(link({ addr_info: [{ family: 'inet', local: 10, prefixlen: 24 }] }), { ok: false, error: 'addr entry 0 (ens37) has an inet address without "local"/"prefixlen"' })
  t.same(link({ addr_info: [{ family: 'inet', local: '10.0.0.5', prefixlen: '24' }] }), { ok: false, error: 'addr entry 0 (ens37) has an inet address without "local"/"prefixlen"' })
  const loose = link({ flags: ['UP', 7, 'LOWER_UP'], addr_info: 'none' })
  const ens37 = { ifindex: 2, ifname: 'ens37', operstate: 'UP', wireless: false }
  t.same(loose, { ok: true, value: [{ ...ens37, flags: ['UP', 'LOWER_UP'], ipv4: [] }] }, 'non-string flags dropped; addr_info that is not a list means none')
  t.same(link({ flags: 'UP' }), { ok: true, value: [{ ...ens37, flags: [], ipv4: [] }] }, 'flags that are not a list mean none')
  const route = parseRouteSnapshot([{ dst: 'default', dev: 7, gateway: '10.0.0.1', type: 3 }])
  t.same(route, { ok: true, value: [{ dst: 'default', type: undefined, dev: undefined, gateway: '10.0.0.1', metric: 0, nexthops: [] }] })
  t.same(parseRouteSnapshot({}), { ok: false, error: '`ip -json route show` did not print a JSON array' })
})
