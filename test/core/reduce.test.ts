import t from 'tap'
import type { Input } from '../../src/core/inputs.js'
import { createReducer, type Effect } from '../../src/core/reduce.js'
import type { ProtocolEvent } from '../../src/core/protocol.js'
import type { CoreOptions } from '../../src/core/state.js'
import { driveCore } from '../helpers/core-driver.js'
import { deepClone } from '../helpers/deep-clone.js'
import { defaultRoute, link, raw, snapshot } from '../helpers/snapshot-builders.js'

const options: CoreOptions = { debounceMs: 3000, maxWaitMs: 10_000, ignore: ['br-*'], acceptUnknownOperstate: false }
const T0 = Date.UTC(2025, 10, 20, 20, 30, 0)
const TAKE: Effect = { type: 'take-snapshot' }

const base = snapshot([link(1, 'lo', ['127.0.0.1/8']), link(2, 'ens37', ['10.0.0.5/24']), link(3, 'eth1', ['172.16.0.5/24'])], [
  defaultRoute('ens37', '10.0.0.1'),
])
/** Every interface of `base` with one more address: whatever is settled against it is reported. */
const allChanged = snapshot([link(2, 'ens37', ['10.0.0.5/24', '10.0.0.99/24']), link(3, 'eth1', ['172.16.0.5/24', '172.16.0.99/24'])], base.routes)

const drive = (opts: CoreOptions = options) => driveCore(opts)

const ready = (opts: CoreOptions = options) => {
  const d = drive(opts)
  d.resync('startup', T0)
  d.snap(base, T0 + 5)
  return d
}

const changed = (events: ProtocolEvent[]): string[] =>
  events.flatMap((event) => (event.type === 'network_change' ? [event.data.interface] : []))

t.test('start-up: a resync asks for the first snapshot, which sets the report silently', async (t) => {
  const d = drive()
  t.same(d.resync('startup', T0).effects, [TAKE])
  t.equal(d.ready(), false)
  t.same(d.discovery(T0 + 1).data.interfaces, [], 'nothing to tell before the first snapshot')
  const first = d.snap(base, T0 + 5)
  t.equal(d.ready(), true)
  t.same(first.events, [d.discovery(T0 + 5)], 'the step that makes the core ready emits the discovery, and nothing else')
  t.same(first.effects, [])
  t.same(d.discovery(T0 + 10), {
    type: 'network_discovery',
    data: {
      interfaces: [
        {
          interface: 'ens37',
          index: 2,
          operstate: 'UP',
          ipv4_addresses: [{ address: '10.0.0.5', prefixlen: 24, subnet: '10.0.0.0/24', network_address: '10.0.0.0' }],
          gateway: '10.0.0.1',
          timestamp: '2025-11-20T20:30:00.005000',
          type: 'ethernet',
        },
        {
          interface: 'eth1',
          index: 3,
          operstate: 'UP',
          ipv4_addresses: [{ address: '172.16.0.5', prefixlen: 24, subnet: '172.16.0.0/24', network_address: '172.16.0.0' }],
          gateway: null,
          timestamp: '2025-11-20T20:30:00.005000',
          type: 'ethernet',
        },
      ],
      timestamp: '2025-11-20T20:30:00.010000',
    },
  })
  t.equal(d.deadline(), undefined, 'idle: no timer')
  t.same(d.snap(base, T0 + 20).events, [], 'a later snapshot that changes nothing emits nothing')
})

t.test('a record opens a debounce window; quiet for debounceMs closes it and reads the truth', async (t) => {
  const d = ready()
  const opened = d.line('[ADDR]2: ens37    inet 10.0.0.6/24 scope global secondary ens37', T0 + 1000)
  t.same(opened.effects, [])
  t.equal(d.deadline(), T0 + 4000)
  t.same(d.tick(T0 + 3999).effects, [], 'not yet')
  t.same(d.tick(T0 + 4000).effects, [TAKE])
  t.equal(d.pending(), 1)
  const truth = snapshot([link(2, 'ens37', ['10.0.0.5/24', '10.0.0.6/24']), link(3, 'eth1', ['172.16.0.5/24'])], base.routes)
  const settled = d.snap(truth, T0 + 4010)
  t.equal(settled.events.length, 1)
  t.match(settled.events[0], {
    type: 'network_change',
    data: { interface: 'ens37', ipv4_addresses: [{ address: '10.0.0.5' }, { address: '10.0.0.6' }], gateway: '10.0.0.1' },
  })
  t.notOk('status' in (settled.events[0]?.data ?? {}))
  t.equal(d.pending(), 0)
  t.equal(d.deadline(), undefined)
})

t.test('rapid records are batched; maxWait bounds an interface that never goes quiet', async (t) => {
  const d = ready()
  for (let at = T0 + 1000; at < T0 + 11_000; at += 1000) {
    const step = d.line('[LINK]2: ens37@vp1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 state UP', at)
    if (at < T0 + 11_000 - 1000) t.same(step.effects, [], `still open at +${at - T0}`)
  }
  t.equal(d.deadline(), T0 + 11_000, 'opened at +1000, max wait 10 s')
  t.same(d.tick(T0 + 11_000).effects, [TAKE])
})

t.test('changes on different interfaces do not delay each other', async (t) => {
  const d = ready()
  d.line('[ADDR]2: ens37    inet 10.0.0.6/24 scope global secondary ens37', T0 + 1000)
  d.line('[ADDR]3: eth1    inet 172.16.0.6/24 scope global secondary eth1', T0 + 2500)
  d.line('[ADDR]3: eth1    inet 172.16.0.7/24 scope global secondary eth1', T0 + 3500)
  t.same(d.tick(T0 + 4000).effects, [TAKE], 'ens37 is due although eth1 is busy')
  const truth = snapshot([link(2, 'ens37', ['10.0.0.5/24', '10.0.0.6/24']), link(3, 'eth1', ['172.16.0.5/24', '172.16.0.6/24'])], base.routes)
  const first = d.snap(truth, T0 + 4010)
  t.same(changed(first.events), ['ens37'], 'eth1 is still in its window: not reported early')
  t.equal(d.deadline(), T0 + 6500)
})

t.test('no-ops emit nothing: IPv6, other routes, ignored names, same address again', async (t) => {
  const d = ready()
  const quiet = [
    '[ADDR]2: ens37    inet6 fe80::1/64 scope link',
    '[ROUTE]10.0.0.0/24 dev ens37 proto kernel scope link src 10.0.0.5',
    '[ROUTE]local 10.0.0.5 dev ens37 table local proto kernel scope host src 10.0.0.5',
    '[ROUTE]default via fe80::1 dev ens37 proto ra metric 1024 pref medium',
    '[LINK]9: veth12ab@if3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 state UP',
    '[LINK]10: br-0f3e: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 state UP',
    '[ADDR]1: lo    inet 127.0.0.1/8 scope host lo',
    '    link/ether ca:b8:5e:4b:52:08 brd ff:ff:ff:ff:ff:ff',
  ]
  for (const line of quiet) {
    const before = d.store.getState()
    t.same(d.line(line, T0 + 1000), { events: [], effects: [] }, line)
    t.equal(d.store.getState(), before, `${line}: the same state, not a copy`)
  }
  d.line('[ADDR]2: ens37    inet 10.0.0.5/24 scope global ens37', T0 + 1000)
  d.tick(T0 + 4000)
  t.same(d.snap(base, T0 + 4001).events, [], 'a DHCP renewal of the same address')
})

/**
 * Which interfaces a run of monitor lines puts in the debounce, seen from outside: how many
 * wait, when the core wants its tick, and whom the read after it reports when every
 * interface has changed.
 */
const scopeCases: { name: string; lines: string[]; pending: number; reported: string[] }[] = [
  { name: 'a default route names its device', lines: ['[ROUTE]default via 172.16.0.1 dev eth1 metric 50'], pending: 1, reported: ['eth1'] },
  {
    name: 'a multipath default names each nexthop device',
    lines: ['[ROUTE]default metric 100 ', '\tnexthop via 10.0.0.1 dev ens37 weight 1', '\tnexthop via 172.16.0.1 dev eth1 weight 1'],
    pending: 2,
    reported: ['ens37', 'eth1'],
  },
  {
    name: 'nexthops of another prefix are noise',
    lines: ['[ROUTE]10.50.0.0/16 metric 7 ', '\tnexthop via 10.0.0.1 dev ens37 weight 1'],
    pending: 0,
    reported: [],
  },
  {
    name: 'a record between a multipath header and its nexthops ends the header',
    lines: ['[ROUTE]default metric 100 ', '[ADDR]3: eth1    inet6 fe80::1/64 scope link', '\tnexthop via 10.0.0.1 dev ens37 weight 1'],
    pending: 0,
    reported: [],
  },
  { name: 'a JSON line names its interface', lines: ['{"ifname":"eth1","operstate":"DOWN"}'], pending: 1, reported: ['eth1'] },
  { name: 'a link record names the link', lines: ['[LINK]3: eth1@vp2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 state UP'], pending: 1, reported: ['eth1'] },
  { name: 'an IPv4 address record names its link', lines: ['[ADDR]2: ens37    inet 10.0.0.9/24 scope global ens37'], pending: 1, reported: ['ens37'] },
  {
    name: 'a renamed link also names its old name (by index)',
    lines: ['[LINK]3: eth9@vp2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 state UP'],
    pending: 2,
    reported: ['eth1'],
  },
  { name: 'an ignored name opens nothing', lines: ['[LINK]10: br-0f3e: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 state UP'], pending: 0, reported: [] },
]

for (const { name, lines, pending, reported } of scopeCases) {
  t.test(`scope: ${name}`, async (t) => {
    const d = ready()
    for (const line of lines) t.same(d.line(line, T0 + 100), { events: [], effects: [] }, 'a record alone emits and asks nothing')
    t.equal(d.pending(), pending, 'interfaces waiting')
    t.equal(d.deadline(), pending === 0 ? undefined : T0 + 3100, 'the tick the core asks for')
    t.same(d.tick(T0 + 3100).effects, pending === 0 ? [] : [TAKE])
    t.same(changed(d.snap(allChanged, T0 + 3101).events), reported, 'reported by the read that follows')
  })
}

t.test('leaving is a change: down, removed, and up without addresses', async (t) => {
  const d = ready()
  d.line('[LINK]2: ens37@vp1: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 state DOWN', T0 + 100)
  d.line('[LINK]Deleted 3: eth1@NONE: <BROADCAST,MULTICAST> mtu 1500 state DOWN', T0 + 100)
  d.tick(T0 + 3100)
  const gone = d.snap(snapshot([link(2, 'ens37', ['10.0.0.5/24'], { operstate: 'LOWERLAYERDOWN' })]), T0 + 3101)
  t.same(
    gone.events.map((event) => event.data),
    [
      {
        interface: 'ens37',
        index: 2,
        operstate: 'LOWERLAYERDOWN',
        ipv4_addresses: [],
        gateway: null,
        timestamp: '2025-11-20T20:30:03.101000',
        type: 'ethernet',
        status: 'down',
      },
      {
        interface: 'eth1',
        index: 3,
        operstate: 'NOTPRESENT',
        ipv4_addresses: [],
        gateway: null,
        timestamp: '2025-11-20T20:30:03.101000',
        type: 'ethernet',
        status: 'removed',
      },
    ],
  )
  t.same(d.discovery(T0 + 4000).data.interfaces, [], 'left interfaces are not in the next discovery')

  const e = ready()
  e.line('[ADDR]Deleted 2: ens37    inet 10.0.0.5/24 scope global ens37', T0 + 100)
  e.tick(T0 + 3100)
  const bare = e.snap(snapshot([link(2, 'ens37'), link(3, 'eth1', ['172.16.0.5/24'])]), T0 + 3101)
  t.match(bare.events[0]?.data, { interface: 'ens37', operstate: 'UP', ipv4_addresses: [], gateway: null })
  t.notOk(bare.events[0] !== undefined && 'status' in bare.events[0].data)
})

t.test('a flap that ends where it started emits nothing; re-creation reports the new index', async (t) => {
  const d = ready()
  d.line('[LINK]3: eth1@vp2: <BROADCAST,MULTICAST> mtu 1500 state DOWN', T0 + 100)
  d.line('[LINK]3: eth1@vp2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 state UP', T0 + 900)
  d.tick(T0 + 3900)
  t.same(d.snap(base, T0 + 3901).events, [])

  const r = ready()
  r.line('[LINK]Deleted 3: eth1@NONE: <BROADCAST,MULTICAST> mtu 1500 state DOWN', T0 + 100)
  r.line('[LINK]7: eth1@vp9: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 state UP', T0 + 200)
  r.tick(T0 + 3200)
  const truth = snapshot([link(2, 'ens37', ['10.0.0.5/24']), link(7, 'eth1', ['172.16.0.5/24'])], base.routes)
  t.match(r.snap(truth, T0 + 3201).events, [{ data: { interface: 'eth1', index: 7 } }])
})

t.test('a rename reports the old name removed and the new one present', async (t) => {
  const d = ready()
  d.line('[LINK]3: eth9@vp2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 state UP', T0 + 100)
  t.equal(d.pending(), 2, 'the index names the old name too')
  d.tick(T0 + 3100)
  const truth = snapshot([link(2, 'ens37', ['10.0.0.5/24']), link(3, 'eth9', ['172.16.0.5/24'])], base.routes)
  t.match(d.snap(truth, T0 + 3101).events, [
    { data: { interface: 'eth1', status: 'removed' } },
    { data: { interface: 'eth9', index: 3, operstate: 'UP' } },
  ])
})

t.test('a snapshot that shows an unannounced change opens a window instead of reporting at once', async (t) => {
  const d = ready()
  d.resync('overrun', T0 + 100)
  const truth = snapshot([link(2, 'ens37', ['10.0.0.5/24']), link(3, 'eth1', ['172.16.0.9/24'])], base.routes)
  t.same(d.snap(truth, T0 + 200).events, [])
  t.equal(d.deadline(), T0 + 3200)
  t.same(d.tick(T0 + 3200).effects, [TAKE])
  t.match(d.snap(truth, T0 + 3201).events, [{ data: { interface: 'eth1', ipv4_addresses: [{ address: '172.16.0.9' }] } }])
})

t.test('one snapshot in flight at a time; a resync during it asks for another after it', async (t) => {
  const d = ready()
  d.line('[ADDR]2: ens37    inet 10.0.0.6/24 scope global secondary ens37', T0 + 100)
  t.same(d.tick(T0 + 3100).effects, [TAKE])
  d.line('[ADDR]3: eth1    inet 172.16.0.6/24 scope global secondary eth1', T0 + 3105)
  t.same(d.tick(T0 + 6105).effects, [], 'eth1 is due but a snapshot is in flight')
  t.same(d.resync('overrun', T0 + 6106).effects, [])
  t.equal(d.pending(), 2, 'ens37 is being read, eth1 waits for the read after it')
  const first = d.snap(snapshot([link(2, 'ens37', ['10.0.0.5/24', '10.0.0.6/24']), link(3, 'eth1', ['172.16.0.5/24', '172.16.0.6/24'])], base.routes), T0 + 6110)
  t.same(changed(first.events), ['ens37'], 'the read settles only what it was asked for')
  t.same(first.effects, [TAKE], 'eth1 waits for the next one')
  t.equal(d.pending(), 1)
  t.same(d.resync('overrun', T0 + 6111).effects, [], 'a resync while reading asks for no second read at once')
  const second = d.snap(snapshot([link(2, 'ens37', ['10.0.0.5/24', '10.0.0.6/24']), link(3, 'eth1', ['172.16.0.5/24', '172.16.0.6/24'])], base.routes), T0 + 6120)
  t.same(changed(second.events), ['eth1'])
  t.same(second.effects, [TAKE], 'the resync during the read is owed one more read')
  t.same(d.snap(base, T0 + 6130).effects, [], 'then none: the owed read was the last')
})

t.test('the next deadline is the earliest of all: windows and the retry of a failed read', async (t) => {
  const d = ready()
  d.line('[ADDR]2: ens37    inet 10.0.0.6/24 scope global ens37', T0 + 100)
  d.line('[ADDR]3: eth1    inet 172.16.0.6/24 scope global eth1', T0 + 200)
  t.equal(d.deadline(), T0 + 3100)
  d.line('[ADDR]2: ens37    inet 10.0.0.7/24 scope global ens37', T0 + 300)
  t.equal(d.deadline(), T0 + 3200, 'ens37 now closes after eth1')
  t.same(d.tick(T0 + 3200).effects, [TAKE])
  t.same(d.fail('boom', T0 + 3201).events, [])
  t.equal(d.deadline(), T0 + 3300, 'ens37 closes before the retry')
  t.same(d.tick(T0 + 3300).effects, [], 'no read while one backs off')
  t.equal(d.deadline(), T0 + 3301, 'the retry')
  d.line('{"ifname":"eth1"}', T0 + 3300)
  t.equal(d.deadline(), T0 + 3301, 'a later window does not hide it')
  t.same(d.tick(T0 + 3301).effects, [TAKE])
  t.equal(d.deadline(), T0 + 6300)
})

t.test('an interface that appears without a record is debounced like any change', async (t) => {
  const d = ready()
  d.resync('overrun', T0 + 100)
  const grown = snapshot([...base.links, link(4, 'eth2', ['192.168.9.2/24'])], base.routes)
  t.same(d.snap(grown, T0 + 200).events, [], 'not reported at once')
  t.equal(d.pending(), 1)
  d.tick(T0 + 3200)
  t.match(d.snap(grown, T0 + 3201).events, [{ type: 'network_change', data: { interface: 'eth2', index: 4 } }])
})

t.test('malformed lines are logged and resync, never thrown', async (t) => {
  const d = ready()
  const step = d.line('garbage from a future ip', T0 + 100)
  t.match(step.effects, [{ type: 'log', level: 'warn', message: /unrecognised monitor line.*resyncing/ }, { type: 'take-snapshot' }])
  const again = d.line('{"no":"names"}', T0 + 101)
  t.same(again.events, [], 'a warning, not an event')
  t.match(again.effects, [{ type: 'log', level: 'warn', message: /names no interface/ }])
  t.same(d.snap(base, T0 + 102).effects, [TAKE], 'records may have been lost during the read: another follows it')
  t.same(d.snap(base, T0 + 103).effects, [], 'and only one')
})

t.test('records before the first snapshot are not lost', async (t) => {
  const d = drive()
  d.line('[ADDR]2: ens37    inet 10.0.0.6/24 scope global secondary ens37', T0)
  d.resync('startup', T0 + 1)
  t.match(d.snap(base, T0 + 2).events, [{ type: 'network_discovery' }])
  t.equal(d.deadline(), T0 + 3000, 'its window survives the initial snapshot')
  d.tick(T0 + 3000)
  const truth = snapshot([link(2, 'ens37', ['10.0.0.5/24', '10.0.0.6/24']), link(3, 'eth1', ['172.16.0.5/24'])], base.routes)
  t.equal(d.snap(truth, T0 + 3001).events.length, 1)
})

t.test('debounce 0 reads the truth on the record itself', async (t) => {
  const d = drive({ ...options, debounceMs: 0 })
  d.resync('startup', T0)
  d.snap(base, T0 + 1)
  t.same(d.line('[ADDR]2: ens37    inet 10.0.0.6/24 scope global ens37', T0 + 2).effects, [TAKE])
})

t.test('the reducer is pure: same input, same output, input state untouched, for every input kind', async (t) => {
  const d = drive()
  const steps: [string, Input][] = [
    ['monitor line before ready', { type: 'monitor-line', line: '[ADDR]2: ens37    inet 10.0.0.6/24 scope global ens37', at: T0 }],
    ['resync while idle', { type: 'resync', reason: 'startup', at: T0 + 1 }],
    ['garbage while a snapshot is in flight', { type: 'monitor-line', line: 'garbage from a future ip', at: T0 + 2 }],
    ['resync while another snapshot is already owed', { type: 'resync', reason: 'overrun', at: T0 + 2 }],
    ['a read that fails', { type: 'snapshot-failed', at: T0 + 2, error: 'timed out' }],
    ['the retry', { type: 'tick', at: T0 + 102 }],
    ['a snapshot that does not parse', { type: 'snapshot', at: T0 + 103, addr: {}, route: [], wireless: [] }],
    ['the second retry', { type: 'tick', at: T0 + 303 }],
    ['first snapshot', { type: 'snapshot', at: T0 + 304, ...raw(base) }],
    ['snapshot that settles nothing but sees a change', { type: 'snapshot', at: T0 + 305, ...raw(snapshot([link(2, 'ens37', ['10.0.0.9/24'])])) }],
    ['address record', { type: 'monitor-line', line: '[ADDR]3: eth1    inet 172.16.0.6/24 scope global eth1', at: T0 + 5 }],
    ['ignored record', { type: 'monitor-line', line: '[LINK]10: br-0f3e: <UP,LOWER_UP> mtu 1500 state UP', at: T0 + 5 }],
    ['multipath header', { type: 'monitor-line', line: '[ROUTE]default metric 100 ', at: T0 + 6 }],
    ['nexthop', { type: 'monitor-line', line: '\tnexthop via 10.0.0.1 dev ens37 weight 1', at: T0 + 6 }],
    ['JSON record', { type: 'monitor-line', line: '{"ifname":"eth1"}', at: T0 + 7 }],
    ['tick before any deadline', { type: 'tick', at: T0 + 8 }],
    ['tick that closes windows', { type: 'tick', at: T0 + 10_000 }],
    ['snapshot that settles and reports', { type: 'snapshot', at: T0 + 10_001, ...raw(snapshot([link(2, 'ens37', ['10.0.0.9/24'])])) }],
    ['idle tick', { type: 'tick', at: T0 + 20_000 }],
  ]
  let emitted = 0
  const reduce = createReducer(options)
  for (const [name, input] of steps) {
    const before = d.store.getState()
    const copy = deepClone(before)
    const first = reduce(before, input)
    t.strictSame(before, copy, `${name}: the state it was given is unchanged`)
    t.same(reduce(before, input), first, `${name}: same input, same output`)
    emitted += d.feed(input).events.length
  }
  t.ok(emitted > 0, 'the sequence reports changes')
  const idle = d.store.getState()
  t.same(reduce(idle, { type: 'tick', at: T0 + 30_000 }), { state: idle, emit: [], effects: [] }, 'a no-op returns the same state')
  t.equal(reduce(idle, { type: 'tick', at: T0 + 30_000 }).state, idle, 'the very same object')
})
