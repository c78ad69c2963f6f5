import t from 'tap'
import { compileIgnore, DEFAULT_IGNORE } from '../../src/core/ignore.js'
import { gatewaysOf, leavingView, reportableView, reportableViews, sameView, type ViewRules } from '../../src/core/view.js'
import { defaultRoute, link, snapshot } from '../helpers/snapshot-builders.js'

const rules: ViewRules = { isIgnored: compileIgnore(DEFAULT_IGNORE), acceptUnknownOperstate: false }

t.test('the seed view: subnet and network address from the local address', async (t) => {
  t.same(reportableView(link(2, 'ens37', ['192.168.1.50/24', '10.9.0.1/32']), gatewaysOf([defaultRoute('ens37', '192.168.1.1')]), rules), {
    interface: 'ens37',
    index: 2,
    operstate: 'UP',
    ipv4_addresses: [
      { address: '192.168.1.50', prefixlen: 24, subnet: '192.168.1.0/24', network_address: '192.168.1.0' },
      { address: '10.9.0.1', prefixlen: 32, subnet: '10.9.0.1/32', network_address: '10.9.0.1' },
    ],
    gateway: '192.168.1.1',
    type: 'ethernet',
  })
})

t.test('an address the kernel would never print keeps its text: no arithmetic on it', async (t) => {
  const view = reportableView(link(2, 'ens37', ['10.0.0.5/33', '10.0.0.5/32.5', '10.0.0.5/2000', '10.0.0.6/-1', 'not-an-ip/24', '10.0.0.7/0']), new Map(), rules)
  t.same(view?.ipv4_addresses, [
    { address: '10.0.0.5', prefixlen: 33, subnet: '10.0.0.5/33', network_address: '10.0.0.5' },
    { address: '10.0.0.5', prefixlen: 32.5, subnet: '10.0.0.5/32.5', network_address: '10.0.0.5' },
    { address: '10.0.0.5', prefixlen: 2000, subnet: '10.0.0.5/2000', network_address: '10.0.0.5' },
    { address: '10.0.0.6', prefixlen: -1, subnet: '10.0.0.6/-1', network_address: '10.0.0.6' },
    { address: 'not-an-ip', prefixlen: 24, subnet: 'not-an-ip/24', network_address: 'not-an-ip' },
    { address: '10.0.0.7', prefixlen: 0, subnet: '0.0.0.0/0', network_address: '0.0.0.0' },
  ])
})

t.test('only UP interfaces with IPv4, never lo, docker0 or veth*', async (t) => {
  t.equal(reportableView(link(2, 'ens37'), gatewaysOf([]), rules), undefined, 'no IPv4')
  t.equal(reportableView(link(2, 'ens37', ['10.0.0.1/24'], { operstate: 'DOWN' }), gatewaysOf([]), rules), undefined)
  t.equal(reportableView(link(2, 'ens37', ['10.0.0.1/24'], { operstate: 'LOWERLAYERDOWN' }), gatewaysOf([]), rules), undefined)
  for (const name of ['lo', 'docker0', 'veth0a1b']) t.equal(reportableView(link(2, name, ['10.0.0.1/24']), gatewaysOf([]), rules), undefined, name)
})

t.test('operstate UNKNOWN only with --accept-unknown-operstate and UP,LOWER_UP flags', async (t) => {
  const tun = link(5, 'wg0', ['10.8.0.1/24'], { operstate: 'UNKNOWN', flags: ['POINTOPOINT', 'UP', 'LOWER_UP'] })
  const half = link(6, 'tun1', ['10.8.1.1/24'], { operstate: 'UNKNOWN', flags: ['POINTOPOINT', 'UP'] })
  t.equal(reportableView(tun, gatewaysOf([]), rules), undefined)
  const accepting = { ...rules, acceptUnknownOperstate: true }
  t.match(reportableView(tun, gatewaysOf([]), accepting), { operstate: 'UNKNOWN' })
  t.equal(reportableView(half, gatewaysOf([]), accepting), undefined)
})

t.test('wifi by sysfs, or by name as a fallback', async (t) => {
  t.match(reportableView(link(3, 'wlan0', ['10.1.0.2/24']), gatewaysOf([]), rules), { type: 'wifi' })
  t.match(reportableView(link(3, 'wlp2s0', ['10.1.0.2/24']), gatewaysOf([]), rules), { type: 'wifi' })
  t.match(reportableView(link(3, 'wlx00c0ca', ['10.1.0.2/24']), gatewaysOf([]), rules), { type: 'wifi' })
  t.match(reportableView(link(3, 'radio0', ['10.1.0.2/24'], { wireless: true }), gatewaysOf([]), rules), { type: 'wifi' })
  t.match(reportableView(link(3, 'eth0', ['10.1.0.2/24']), gatewaysOf([]), rules), { type: 'ethernet' })
})

const gatewayOf = (ifname: string, routes: Parameters<typeof gatewaysOf>[0]): string | null => gatewaysOf(routes).get(ifname) ?? null

t.test('gateway: lowest metric, multipath via this interface, main-table unicast only', async (t) => {
  const routes = [
    defaultRoute('eth1', '172.16.0.1', 50),
    defaultRoute('ens37', '192.168.1.1', 100),
    defaultRoute('ens37', '192.168.1.254', 20),
    { dst: 'default', metric: 10, nexthops: [{ dev: 'ens37', gateway: '192.168.1.2' }, { dev: 'eth1', gateway: '172.16.0.2' }] },
    { dst: 'default', type: 'unreachable', metric: 0, nexthops: [] },
    { dst: '10.50.0.0/16', dev: 'ens37', gateway: '192.168.1.9', metric: 0, nexthops: [] },
  ]
  t.equal(gatewayOf('ens37', routes), '192.168.1.2')
  t.equal(gatewayOf('eth1', routes), '172.16.0.2')
  t.equal(gatewayOf('eth2', routes), null)
  t.equal(gatewayOf('ens37', [defaultRoute('ens37', '10.0.0.1', 5), defaultRoute('ens37', '10.0.0.2', 5)]), '10.0.0.1', 'ties: kernel order')
  t.equal(gatewayOf('ppp0', [{ dst: 'default', dev: 'ppp0', metric: 0, nexthops: [] }]), null, 'no gateway named')
  t.equal(gatewayOf('ens37', [{ ...defaultRoute('ens37', '10.0.0.1'), dst: '0.0.0.0/0' }]), '10.0.0.1')
})

t.test('views come in ifindex order', async (t) => {
  const views = reportableViews(snapshot([link(9, 'eth9', ['10.0.9.1/24']), link(3, 'eth3', ['10.0.3.1/24'])]), rules)
  t.same([...views.keys()], ['eth3', 'eth9'])
})

t.test('leaving views: removed, down, or up without addresses', async (t) => {
  const before = reportableView(link(2, 'ens37', ['10.0.0.5/24']), gatewaysOf([defaultRoute('ens37', '10.0.0.1')]), rules)
  if (before === undefined) throw new Error('unreachable in this test')
  t.same(leavingView(before, undefined, rules), {
    interface: 'ens37',
    index: 2,
    operstate: 'NOTPRESENT',
    ipv4_addresses: [],
    gateway: null,
    type: 'ethernet',
    status: 'removed',
  })
  t.match(leavingView(before, link(2, 'ens37', [], { operstate: 'DOWN' }), rules), { operstate: 'DOWN', status: 'down' })
  const upNoAddress = leavingView(before, link(2, 'ens37'), rules)
  t.equal(upNoAddress.operstate, 'UP')
  t.notOk('status' in upNoAddress, 'an interface still UP carries no status')
})

t.test('sameView compares everything clients see', async (t) => {
  const a = reportableView(link(2, 'ens37', ['10.0.0.5/24']), gatewaysOf([]), rules)
  t.equal(sameView(a, reportableView(link(2, 'ens37', ['10.0.0.5/24']), gatewaysOf([]), rules)), true)
  t.equal(sameView(a, reportableView(link(3, 'ens37', ['10.0.0.5/24']), gatewaysOf([]), rules)), false, 'index')
  t.equal(sameView(a, reportableView(link(2, 'ens37', ['10.0.0.5/25']), gatewaysOf([]), rules)), false, 'prefix')
  t.equal(sameView(a, reportableView(link(2, 'ens37', ['10.0.0.5/24', '10.0.0.6/24']), gatewaysOf([]), rules)), false, 'count')
  t.equal(sameView(a, reportableView(link(2, 'ens37', ['10.0.0.5/24']), gatewaysOf([defaultRoute('ens37', '10.0.0.1')]), rules)), false, 'gateway')
  t.equal(sameView(a, undefined), false)
  t.equal(sameView(undefined, undefined), true)
})

t.test('view details: wifi names only at the start, /32 arithmetic, typed default routes, hops without a gateway', async (t) => {
  t.equal(reportableView(link(2, 'ens-wlan0', ['10.0.0.5/24']), new Map(), rules)?.type, 'ethernet', 'a name that merely contains wlan')
  t.match(reportableView(link(2, 'ens37', ['10.0.0.5/32']), new Map(), rules)?.ipv4_addresses, [{ subnet: '10.0.0.5/32' }])
  t.equal(reportableView(link(2, 'ens37', ['10.0.0.5/24'], { operstate: 'DOWN', flags: ['UP', 'LOWER_UP'] }), new Map(), { ...rules, acceptUnknownOperstate: true }), undefined, 'only UNKNOWN is accepted, not DOWN')
  t.same(gatewaysOf([{ dst: 'default', type: 'unreachable', dev: 'ens37', gateway: '10.0.0.1', metric: 0, nexthops: [] }]), new Map(), 'a typed default is no gateway')
  t.same(gatewaysOf([{ dst: 'default', dev: 'ens37', metric: 0, nexthops: [] }, { dst: 'default', gateway: '10.0.0.1', metric: 5, nexthops: [] }]), new Map(), 'a default without gateway, or without device, names none')
  t.same(gatewaysOf([{ dst: 'default', dev: 'ens37', metric: 0, nexthops: [] }, { dst: 'default', dev: 'ens37', gateway: '10.0.0.2', metric: 5, nexthops: [] }]), new Map([['ens37', '10.0.0.2']]), 'a gateway-less default does not shadow one with a gateway')
  const gone = leavingView(reportableView(link(2, 'wlan0', ['10.0.0.5/24']), new Map(), rules)!, link(2, 'wlan0', [], { operstate: 'DOWN' }), rules)
  t.equal(gone.type, 'wifi')
  const was = reportableView(link(2, 'eth5', ['10.0.0.5/24'], { wireless: true }), new Map(), rules)!
  t.equal(leavingView(was, link(2, 'eth5', [], { operstate: 'DOWN', wireless: false }), rules).type, 'ethernet', 'a link still there is typed from itself')
})

t.test('sameView: two addresses each, only the second differs', async (t) => {
  const two = (second: string): ReturnType<typeof reportableView> => reportableView(link(2, 'ens37', ['10.0.0.5/24', second]), new Map(), rules)
  t.equal(sameView(two('10.0.0.6/24'), two('10.0.0.6/24')), true)
  t.equal(sameView(two('10.0.0.6/24'), two('10.0.0.7/24')), false, 'address')
  t.equal(sameView(two('10.0.0.6/24'), two('10.0.0.6/25')), false, 'prefix')
})

t.test('sameView: each field clients see makes two views differ', async (t) => {
  const view = reportableView(link(2, 'ens37', ['10.0.0.5/24']), new Map([['ens37', '10.0.0.1']]), rules)!
  const variants = [
    { ...view, interface: 'ens38' },
    { ...view, operstate: 'UNKNOWN' },
    { ...view, type: 'wifi' as const },
    { ...view, status: 'down' as const },
    { ...view, ipv4_addresses: [] },
    { ...view, ipv4_addresses: [...view.ipv4_addresses, ...view.ipv4_addresses] },
  ]
  for (const variant of variants) {
    t.equal(sameView(view, variant), false, JSON.stringify(variant))
    t.equal(sameView(variant, view), false, `${JSON.stringify(variant)}, reversed`)
  }
})
