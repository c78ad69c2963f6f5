import t from 'tap'
import { parseMonitorLine } from '../../src/core/parse-monitor.js'

t.test('address records', async (t) => {
  t.same(parseMonitorLine('[ADDR]2: ens37    inet 192.168.1.50/24 scope global ens37'), {
    ok: true,
    value: { kind: 'addr', deleted: false, ifindex: 2, ifname: 'ens37', family: 'inet' },
  })
  t.same(parseMonitorLine('[ADDR]Deleted 2: ens37    inet 192.168.1.51/24 scope global secondary ens37'), {
    ok: true,
    value: { kind: 'addr', deleted: true, ifindex: 2, ifname: 'ens37', family: 'inet' },
  })
  t.match(parseMonitorLine('[ADDR]3: eth1    inet6 fe80::1/64 scope link'), { ok: true, value: { family: 'inet6' } })
})

t.test('route records', async (t) => {
  t.same(parseMonitorLine('[ROUTE]default via 192.168.1.1 dev ens37 metric 100'), {
    ok: true,
    value: { kind: 'route', deleted: false, family: 'inet', routeType: 'unicast', dst: 'default', table: 'main', dev: 'ens37' },
  })
  t.match(parseMonitorLine('[ROUTE]Deleted fe80::/64 dev ens37 proto kernel metric 256 pref medium'), {
    value: { deleted: true, family: 'inet6' },
  })
  t.match(parseMonitorLine('[ROUTE]default via fe80::1 dev eth0 proto ra metric 1024 pref medium'), { value: { family: 'inet6' } })
  t.match(parseMonitorLine('[ROUTE]local 10.0.0.1 dev ens37 table local proto kernel scope host src 10.0.0.1'), {
    value: { routeType: 'local', dst: '10.0.0.1', table: 'local' },
  })
  t.match(parseMonitorLine('[ROUTE]unreachable default metric 9'), { value: { routeType: 'unreachable', dst: 'default', dev: undefined } })
  t.match(parseMonitorLine('[ROUTE]default metric 100 '), { value: { dst: 'default', dev: undefined } })
  t.match(parseMonitorLine('[ROUTE]'), { ok: false })
})

t.test('link records, with peers and deletions', async (t) => {
  t.same(parseMonitorLine('[LINK]2: ens37@peer0: <BROADCAST,MULTICAST> mtu 1500 qdisc noqueue state DOWN group default'), {
    ok: true,
    value: { kind: 'link', deleted: false, ifindex: 2, ifname: 'ens37' },
  })
  t.match(parseMonitorLine('[LINK]Deleted 2: ens37@NONE: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN'), {
    value: { kind: 'link', deleted: true, ifname: 'ens37' },
  })
  t.match(parseMonitorLine('[LINK]7: wlan0: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500'), { value: { ifindex: 7, ifname: 'wlan0' } })
})

t.test('continuation lines', async (t) => {
  t.same(parseMonitorLine('    link/ether ca:b8:5e:4b:52:08 brd ff:ff:ff:ff:ff:ff'), { ok: true, value: { kind: 'continuation' } })
  t.same(parseMonitorLine('       valid_lft forever preferred_lft forever'), { ok: true, value: { kind: 'continuation' } })
  t.same(parseMonitorLine('\tnexthop via 10.0.0.1 dev eth1 weight 1'), { ok: true, value: { kind: 'nexthop', dev: 'eth1' } })
  t.same(parseMonitorLine(''), { ok: true, value: { kind: 'continuation' } })
})

t.test('JSON objects per line are accepted too', async (t) => {
  t.same(parseMonitorLine('{"ifname":"ens37","operstate":"UP"}'), { ok: true, value: { kind: 'json', ifnames: ['ens37'] } })
  t.same(parseMonitorLine('{"dst":"default","dev":"eth1"}'), { ok: true, value: { kind: 'json', ifnames: ['eth1'] } })
  t.same(parseMonitorLine('{"family":"inet"}'), { ok: true, value: { kind: 'json', ifnames: [] } })
  t.match(parseMonitorLine('{"truncated'), { ok: false, error: /not valid JSON/ })
  t.match(parseMonitorLine('[1,2]'), { ok: false })
  t.match(parseMonitorLine('{}'.replace('{}', '["x"]')), { ok: false })
})

t.test('malformed lines are errors, never exceptions', async (t) => {
  for (const line of ['garbage', '[NEIGH]10.0.0.2 dev eth1 lladdr 00:11:22:33:44:55 REACHABLE', '[LINK]nonsense', '[ADDR]x']) {
    const result = parseMonitorLine(line)
    t.equal(result.ok, false, line)
  }
})
