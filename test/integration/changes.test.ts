import t from 'tap'
import { address, watchNamespace } from '../helpers/watched-namespace.js'

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/
const QUIET_MS = 1200

t.test('discovery has the seed shape exactly, and only reportable interfaces', async (t) => {
  const w = await watchNamespace(t, 'disc', async (ns) => {
    await ns.addVeth('ens37')
    await ns.ip('addr', 'add', '192.168.77.50/24', 'dev', 'ens37')
    await ns.ip('route', 'add', 'default', 'via', '192.168.77.1', 'dev', 'ens37')
    await ns.addVeth('eth1', { up: false })
    await ns.ip('addr', 'add', '10.77.1.5/24', 'dev', 'eth1')
    await ns.addVeth('eth2')
    await ns.addVeth('wlan0')
    await ns.ip('addr', 'add', '10.77.3.5/24', 'dev', 'wlan0')
  })
  if (w === undefined) return
  const [ens37, wlan0, ...rest] = w.discovery
  t.same(rest, [], 'eth1 is down, eth2 has no IPv4, lo and the vp* peers have no IPv4 or are ignored')
  t.same(Object.keys(ens37 ?? {}), ['interface', 'index', 'operstate', 'ipv4_addresses', 'gateway', 'timestamp', 'type'])
  t.match(ens37, {
    interface: 'ens37',
    index: Number,
    operstate: 'UP',
    ipv4_addresses: [address('192.168.77.50/24', '192.168.77.0')],
    gateway: '192.168.77.1',
    timestamp: TIMESTAMP,
    type: 'ethernet',
  })
  t.match(wlan0, { interface: 'wlan0', type: 'wifi', gateway: null })
  w.validate(t)
  t.equal(await w.daemon.stop(), 0)
})

t.test('address add, secondary, point-to-point and removal', async (t) => {
  const w = await watchNamespace(t, 'addr', async (ns) => ns.addVeth('ens37'))
  if (w === undefined) return
  t.same(w.discovery, [], 'no IPv4 yet: nothing reported')
  await w.ns.ip('addr', 'add', '10.77.0.5/24', 'dev', 'ens37')
  t.match(await w.nextChange(), { interface: 'ens37', operstate: 'UP', ipv4_addresses: [address('10.77.0.5/24', '10.77.0.0')] })
  await w.ns.ip('addr', 'add', '10.77.0.6/24', 'dev', 'ens37')
  await w.ns.ip('addr', 'add', '10.9.0.1', 'peer', '10.9.0.2', 'dev', 'ens37')
  t.same((await w.nextChange()).ipv4_addresses, [
    address('10.77.0.5/24', '10.77.0.0'),
    address('10.9.0.1/32', '10.9.0.1'),
    address('10.77.0.6/24', '10.77.0.0'),
  ], 'batched in one window, kernel order (secondaries after primaries), point-to-point by its local address')
  await w.ns.ip('addr', 'flush', 'dev', 'ens37')
  const left = await w.nextChange()
  t.same({ ...left, timestamp: 'x' }, {
    interface: 'ens37', index: left.index, operstate: 'UP', ipv4_addresses: [], gateway: null, timestamp: 'x', type: 'ethernet',
  }, 'still UP without addresses: real operstate, no status')
  await w.expectQuiet(t, QUIET_MS, 'after the flush')
  w.validate(t)
})

t.test('default route add, replace, metrics, multipath, delete', async (t) => {
  const w = await watchNamespace(t, 'route', async (ns) => {
    await ns.addVeth('ens37')
    await ns.addVeth('eth1')
    await ns.ip('addr', 'add', '10.77.0.5/24', 'dev', 'ens37')
    await ns.ip('addr', 'add', '172.16.77.5/24', 'dev', 'eth1')
  })
  if (w === undefined) return
  await w.ns.ip('route', 'add', 'default', 'via', '10.77.0.1', 'dev', 'ens37', 'metric', '100')
  t.match(await w.nextChange(), { interface: 'ens37', gateway: '10.77.0.1' })
  await w.ns.ip('route', 'add', 'default', 'via', '10.77.0.254', 'dev', 'ens37', 'metric', '50')
  t.match(await w.nextChange(), { interface: 'ens37', gateway: '10.77.0.254' }, 'the lower metric wins')
  await w.ns.ip('route', 'replace', 'default', 'via', '10.77.0.253', 'dev', 'ens37', 'metric', '50')
  t.match(await w.nextChange(), { interface: 'ens37', gateway: '10.77.0.253' })
  await w.ns.ip('route', 'add', 'default', 'metric', '10', 'nexthop', 'via', '10.77.0.2', 'dev', 'ens37', 'nexthop', 'via', '172.16.77.2', 'dev', 'eth1')
  const [first, second] = [await w.nextChange(), await w.nextChange()]
  t.same([first.interface, first.gateway, second.interface, second.gateway], ['ens37', '10.77.0.2', 'eth1', '172.16.77.2'], 'multipath counts via each nexthop')
  await w.ns.ip('route', 'del', 'default', 'metric', '10')
  t.same([(await w.nextChange()).gateway, (await w.nextChange()).gateway], ['10.77.0.253', null])
  await w.ns.ip('route', 'del', 'default', 'via', '10.77.0.253', 'dev', 'ens37', 'metric', '50')
  await w.ns.ip('route', 'del', 'default', 'via', '10.77.0.1', 'dev', 'ens37', 'metric', '100')
  t.match(await w.nextChange(), { interface: 'ens37', gateway: null })
  await w.expectQuiet(t, QUIET_MS, 'after the deletes')
  w.validate(t)
})

t.test('link down, up (the kernel drops the default route silently), delete', async (t) => {
  const w = await watchNamespace(t, 'link', async (ns) => {
    await ns.addVeth('ens37')
    await ns.ip('addr', 'add', '10.77.0.5/24', 'dev', 'ens37')
    await ns.ip('route', 'add', 'default', 'via', '10.77.0.1', 'dev', 'ens37')
  })
  if (w === undefined) return
  await w.ns.ip('link', 'set', 'ens37', 'down')
  t.match(await w.nextChange(), { interface: 'ens37', operstate: 'DOWN', ipv4_addresses: [], gateway: null, status: 'down' })
  await w.ns.ip('link', 'set', 'ens37', 'up')
  const back = await w.nextChange()
  t.match(back, { interface: 'ens37', operstate: 'UP', gateway: null, ipv4_addresses: [address('10.77.0.5/24', '10.77.0.0')] })
  t.notOk('status' in back)
  const index = back.index
  const peer = JSON.parse(await w.ns.ip('-json', 'link', 'show', 'dev', 'ens37')) as { link?: string }[]
  await w.ns.ip('link', 'del', 'ens37')
  t.same({ ...(await w.nextChange()), timestamp: 'x' }, {
    interface: 'ens37', index, operstate: 'NOTPRESENT', ipv4_addresses: [], gateway: null, timestamp: 'x', type: 'ethernet', status: 'removed',
  })
  t.ok(peer[0]?.link, 'the veth had a peer, deleted with it')
  await w.expectQuiet(t, QUIET_MS, 'after the delete')
  w.validate(t)
})

t.test('rename, re-creation with a new index, interfaces that appear later', async (t) => {
  const w = await watchNamespace(t, 'ren', async (ns) => {
    await ns.addVeth('ens37')
    await ns.ip('addr', 'add', '10.77.0.5/24', 'dev', 'ens37')
  })
  if (w === undefined) return
  await w.ns.ip('link', 'set', 'ens37', 'down')
  await w.ns.ip('link', 'set', 'ens37', 'name', 'ens38')
  await w.ns.ip('link', 'set', 'ens38', 'up')
  await w.ns.waitOperUp('ens38')
  const [gone, renamed] = [await w.nextChange(), await w.nextChange()]
  t.match(gone, { interface: 'ens37', status: 'removed' })
  t.match(renamed, { interface: 'ens38', operstate: 'UP', index: gone.index })
  await w.ns.ip('link', 'del', 'ens38')
  await w.ns.addVeth('ens38')
  await w.ns.ip('addr', 'add', '10.77.0.5/24', 'dev', 'ens38')
  const recreated = await w.nextChange()
  t.match(recreated, { interface: 'ens38', operstate: 'UP', ipv4_addresses: [address('10.77.0.5/24', '10.77.0.0')] })
  t.not(recreated.index, renamed.index, 'a new index')
  await w.ns.addVeth('eth5')
  await w.ns.ip('addr', 'add', '10.77.5.5/24', 'dev', 'eth5')
  t.match(await w.nextChange(), { interface: 'eth5', ipv4_addresses: [address('10.77.5.5/24', '10.77.5.0')] })
  w.validate(t)
})

t.test('no-ops emit nothing: renewal of the same address, a flap that ends as it started, ignored names', async (t) => {
  const w = await watchNamespace(
    t,
    'noop',
    async (ns) => {
      await ns.addVeth('ens37')
      await ns.ip('addr', 'add', '10.77.0.5/24', 'dev', 'ens37')
      await ns.addVeth('br-test')
    },
    ['--ignore', 'br-*'],
  )
  if (w === undefined) return
  await w.ns.ip('addr', 'replace', '10.77.0.5/24', 'dev', 'ens37')
  await w.ns.ip('link', 'set', 'ens37', 'down')
  await w.ns.ip('link', 'set', 'ens37', 'up')
  await w.ns.waitOperUp('ens37')
  await w.ns.ip('addr', 'add', '10.77.9.5/24', 'dev', 'br-test')
  await w.expectQuiet(t, QUIET_MS, 'replace, flap, ignored interface')
  w.validate(t)
  const log = w.daemon.stderr.lines.join('\n')
  t.match(log, /"msg":"ready"/)
  t.notMatch(log, /"level":"(warn|error)"/, 'nothing to warn about')
})

t.test('IPv6 churn is absorbed', async (t) => {
  const w = await watchNamespace(t, 'v6', async (ns) => {
    await ns.exec('sysctl', ['-qw', 'net.ipv6.conf.all.disable_ipv6=0'])
    await ns.exec('sysctl', ['-qw', 'net.ipv6.conf.default.disable_ipv6=0'])
    await ns.addVeth('ens37')
    await ns.ip('addr', 'add', '10.77.0.5/24', 'dev', 'ens37')
  })
  if (w === undefined) return
  await w.ns.ip('-6', 'addr', 'add', 'fd00:77::5/64', 'dev', 'ens37')
  await w.ns.ip('-6', 'route', 'add', 'default', 'via', 'fd00:77::1', 'dev', 'ens37')
  await w.ns.ip('-6', 'addr', 'del', 'fd00:77::5/64', 'dev', 'ens37')
  await w.expectQuiet(t, QUIET_MS, 'IPv6 only')
  w.validate(t)
})
