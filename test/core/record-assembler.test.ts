import t from 'tap'
import { affected } from '../../src/core/monitor-scope.js'
import { parseMonitorLine } from '../../src/core/parse-monitor.js'
import { assemble, forgetRecord, type InDefaultRoute } from '../../src/core/record-assembler.js'
import { initialState } from '../../src/core/state.js'

/** Feeds `lines` through the assembler as the reducer does; returns the names each line scopes. */
const scopes = (lines: readonly string[]): (string | undefined)[][] => {
  let inDefaultRoute: InDefaultRoute = false
  return lines.map((line) => {
    const parsed = parseMonitorLine(line)
    if (!parsed.ok) {
      inDefaultRoute = forgetRecord()
      return ['unreadable']
    }
    const step = assemble(inDefaultRoute, parsed.value)
    inDefaultRoute = step.inDefaultRoute
    return affected(initialState(), step.record)
  })
}

const NEXTHOP_ENS37 = '\tnexthop via 10.0.0.1 dev ens37 weight 1'
const NEXTHOP_ETH1 = '\tnexthop via 172.16.0.1 dev eth1 weight 1'

const cases: { name: string; lines: string[]; names: (string | undefined)[][] }[] = [
  { name: 'a single-path default route names its device', lines: ['[ROUTE]default via 10.0.0.1 dev ens37 '], names: [['ens37']] },
  {
    name: 'a multipath default: the header names none, each nexthop its own',
    lines: ['[ROUTE]default metric 100 ', NEXTHOP_ENS37, NEXTHOP_ETH1],
    names: [[], ['ens37'], ['eth1']],
  },
  { name: "another prefix's nexthops name nothing", lines: ['[ROUTE]10.50.0.0/16 metric 7 ', NEXTHOP_ENS37], names: [[], []] },
  {
    name: 'a default route in another table opens no record',
    lines: ['[ROUTE]default table 100 metric 7 ', NEXTHOP_ENS37],
    names: [[], []],
  },
  {
    name: 'an address record between the header and a nexthop ends the record',
    lines: ['[ROUTE]default metric 100 ', '[ADDR]3: eth1    inet 10.0.0.2/24 scope global eth1', NEXTHOP_ENS37],
    names: [[], ['eth1', undefined], []],
  },
  {
    name: 'a link record ends it too',
    lines: ['[ROUTE]default metric 100 ', '[LINK]3: eth1: <UP> mtu 1500 state UP ', NEXTHOP_ENS37],
    names: [[], ['eth1', undefined], []],
  },
  {
    name: 'other continuation lines keep the record open',
    lines: ['[ROUTE]default metric 100 ', '    link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff', NEXTHOP_ENS37],
    names: [[], [], ['ens37']],
  },
  {
    name: 'an unreadable line forgets the record: its nexthops are not guessed',
    lines: ['[ROUTE]default metric 100 ', '[WHAT] is this', NEXTHOP_ENS37],
    names: [[], ['unreadable'], []],
  },
  {
    name: 'an IPv6 nexthop of a default route names nothing (no IPv4 gateway on it)',
    lines: ['[ROUTE]default metric 100 ', '\tnexthop via fe80::1 dev eth1 weight 1 pref medium', NEXTHOP_ENS37],
    names: [[], [], ['ens37']],
  },
  { name: 'a nexthop with no header before it names nothing', lines: [NEXTHOP_ENS37], names: [[]] },
]

for (const { name, lines, names } of cases) {
  t.test(name, async (t) => {
    t.same(scopes(lines), names)
  })
}

t.test('a link record names the reading known for its index, else the first reading and the known name', async (t) => {
  const link = (ifindex: number, ifnames: string[]) => ({ kind: 'link' as const, deleted: false, ifindex, ifnames })
  const state = { ...initialState(), names: new Map([[8, 'a@b'], [9, 'veth0'], [10, 'old']]) }
  t.same(affected(state, link(8, ['a', 'a@b', 'a@b@c'])), ['a@b'], 'a name holding @ that is known')
  t.same(affected(state, link(9, ['veth0', 'veth0@peer'])), ['veth0'])
  t.same(affected(state, link(10, ['new'])), ['new', 'old'], 'a rename')
  t.same(affected(state, link(11, ['x', 'x@y'])), ['x', undefined], 'an index not known yet')
})

t.test('0.0.0.0/0 is a default destination too; forgetRecord closes the record', async (t) => {
  t.same(scopes(['[ROUTE]0.0.0.0/0 via 10.0.0.1 dev ens37 ']), [['ens37']])
  t.equal(forgetRecord(), false)
})
