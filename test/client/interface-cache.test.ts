import t from 'tap'
import { InterfaceCache, type InterfaceChange } from '../../src/client/index.js'
import type { NetworkChange, NetworkDiscovery, InterfaceReport } from '../../src/schema/protocol.js'
import { report, TIMESTAMP } from '../helpers/fake-daemon.js'

const discovery = (interfaces: InterfaceReport[]): NetworkDiscovery => ({ type: 'network_discovery', data: { interfaces, timestamp: TIMESTAMP } })
const change = (data: InterfaceReport): NetworkChange => ({ type: 'network_change', data })
const summary = (changes: InterfaceChange[]): string[] => changes.map((c) => `${c.kind} ${c.name}`)

t.test('interfaceFor: the most specific prefix wins among overlapping subnets', async (t) => {
  const cache = new InterfaceCache()
  cache.apply(
    discovery([
      report('wide', 2, ['10.0.0.1/8']),
      report('mid', 3, ['10.1.0.1/16']),
      report('narrow', 4, ['10.1.2.1/24', '172.16.0.1/12']),
      report('ptp', 5, ['10.1.2.77/32']),
      report('link', 6, ['192.168.9.1/31']),
    ]),
  )
  const owner = (address: string): string | undefined => cache.interfaceFor(address)?.interface
  t.equal(owner('10.200.0.1'), 'wide')
  t.equal(owner('10.1.200.1'), 'mid')
  t.equal(owner('10.1.2.3'), 'narrow')
  t.equal(owner('10.1.2.77'), 'ptp', 'a /32 is the most specific of all')
  t.equal(owner('10.1.2.78'), 'narrow', 'a /32 holds only its own address')
  t.equal(owner('172.31.255.255'), 'narrow', 'any of an interface’s addresses counts')
  t.equal(owner('192.168.9.0'), 'link', '/31 holds both addresses')
  t.equal(owner('192.168.9.2'), undefined)
  t.equal(owner('11.0.0.1'), undefined)
  t.equal(owner('not an address'), undefined)
  t.equal(owner('10.1.2.300'), undefined)
})

t.test('interfaceFor: point-to-point peer and a tie on the same prefix', async (t) => {
  const cache = new InterfaceCache()
  // `ip addr add 10.9.0.1 peer 10.9.0.2 dev tun0` is reported as its local address, /32.
  cache.apply(discovery([report('tun0', 9, ['10.9.0.1/32']), report('b', 8, ['192.168.1.9/24']), report('a', 7, ['192.168.1.7/24'])]))
  t.equal(cache.interfaceFor('10.9.0.1')?.interface, 'tun0')
  t.equal(cache.interfaceFor('10.9.0.2'), undefined, 'the peer is not in the report')
  t.equal(cache.interfaceFor('192.168.1.50')?.interface, 'a', 'same prefix: the lower ifindex')
  t.same(cache.all().map((r) => r.interface), ['a', 'b', 'tun0'])
})

t.test('changes fold in; callbacks get before and after; removal and down leave the cache', async (t) => {
  const cache = new InterfaceCache()
  const all: InterfaceChange[] = []
  const parent: InterfaceChange[] = []
  cache.onChange((c) => all.push(c))
  const stop = cache.onInterfaceChange('ens37', (c) => parent.push(c))
  const ens37 = report('ens37', 2, ['10.0.0.5/24'])
  t.same(summary(cache.apply(discovery([ens37, report('eth1', 3, ['10.2.0.5/24'])]))), ['added ens37', 'added eth1'])
  t.same(cache.apply(change({ ...ens37, timestamp: '2025-11-20T20:31:00.000001' })), [], 'only the timestamp differs')
  const moved = report('ens37', 2, ['10.0.1.5/24'], { gateway: '10.0.1.1' })
  const [changed] = cache.apply(change(moved))
  t.match(changed, { kind: 'changed', before: { ipv4_addresses: [{ address: '10.0.0.5' }] }, after: moved, cause: moved })
  t.equal(cache.interfaceFor('10.0.0.9'), undefined, 'the old subnet is gone')
  t.equal(cache.interfaceFor('10.0.1.9')?.interface, 'ens37')
  const removed = report('ens37', 2, [], { operstate: 'NOTPRESENT', status: 'removed' })
  t.match(cache.apply(change(removed)), [{ kind: 'removed', name: 'ens37', before: moved, after: undefined, cause: { status: 'removed' } }])
  t.equal(cache.get('ens37'), undefined)
  t.same(cache.apply(change(removed)), [], 'removing twice tells nothing')
  t.match(cache.apply(change(report('eth1', 3, [], { operstate: 'DOWN', status: 'down' }))), [{ kind: 'removed', name: 'eth1' }])
  cache.apply(change(report('eth2', 4, ['10.3.0.1/24'])))
  t.match(cache.apply(change(report('eth2', 4, []))), [{ kind: 'removed' }], 'no addresses, no status: still out')
  t.same(cache.all(), [])
  t.same(summary(parent), ['added ens37', 'changed ens37', 'removed ens37'])
  stop()
  cache.apply(change(ens37))
  t.equal(parent.length, 3, 'unsubscribed')
  t.equal(all.length, 8)
})

t.test('a discovery replaces everything: missing interfaces are removed, reports the daemon would not send are dropped', async (t) => {
  const cache = new InterfaceCache()
  cache.apply({ kind: 'discovery', event: discovery([report('a', 2, ['10.0.0.1/24']), report('b', 3, ['10.0.1.1/24'])]) })
  const changes = cache.apply({
    kind: 'discovery',
    event: discovery([report('b', 3, ['10.0.1.1/24']), report('c', 4, ['10.0.2.1/24']), report('d', 5, [], { status: 'down' })]),
  })
  t.match(changes, [{ kind: 'removed', name: 'a', cause: undefined }, { kind: 'added', name: 'c' }])
  t.same(cache.all().map((r) => r.interface), ['b', 'c'])
  t.same(cache.apply({ kind: 'connected' }), [], 'other client events are ignored')
})

t.test('interfaceFor skips entries no daemon would send: a prefix outside 0-32, an address that is not IPv4', async (t) => {
  const cache = new InterfaceCache()
  cache.apply(
    discovery([
      report('good', 2, ['10.0.0.1/24']),
      report('long', 3, ['10.0.0.1/40']),
      report('negative', 4, ['10.9.9.9/-1']),
      { ...report('v6', 5, ['10.0.0.1/32']), ipv4_addresses: [{ address: 'fe80::1', prefixlen: 32, subnet: 'fe80::1/32', network_address: 'fe80::1' }] },
    ]),
  )
  t.equal(cache.interfaceFor('10.0.0.1')?.interface, 'good', 'not /40 (it would outrank every real prefix) nor a non-IPv4 /32')
  t.equal(cache.interfaceFor('192.168.0.1'), undefined, 'not /-1 (it would hold every address)')
})

t.test('during a rename both names may share an index: all() orders them by name', async (t) => {
  const cache = new InterfaceCache()
  // The new name's report can come before the old name's removal.
  cache.apply(discovery([report('eth9', 3, ['10.3.0.1/24']), report('wan', 2, ['10.2.0.1/24'])]))
  cache.apply(change(report('eth0', 2, ['10.2.0.1/24'])))
  t.same(
    cache.all().map((r) => `${r.index} ${r.interface}`),
    ['2 eth0', '2 wan', '3 eth9'],
  )
})
