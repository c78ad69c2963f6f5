import t from 'tap'
import type { Input } from '../../src/core/inputs.js'
import { discoveryOf, nextDeadline, pendingCount, reduce, type Step } from '../../src/core/reduce.js'
import type { Snapshot } from '../../src/core/snapshot.js'
import { initialState, type CoreOptions, type State } from '../../src/core/state.js'
import { deepClone } from '../helpers/deep-clone.js'
import { defaultRoute, link, snapshot } from '../helpers/snapshot-builders.js'

const options: CoreOptions = { debounceMs: 3000, maxWaitMs: 10_000, ignore: ['br-*'], acceptUnknownOperstate: false }
const T0 = Date.UTC(2025, 10, 20, 20, 30, 0)

const base = snapshot([link(1, 'lo', ['127.0.0.1/8']), link(2, 'ens37', ['10.0.0.5/24']), link(3, 'eth1', ['172.16.0.5/24'])], [
  defaultRoute('ens37', '10.0.0.1'),
])

/** A driver that keeps the state and collects every step, as the daemon does. */
const drive = (start: State = initialState(options)) => {
  let state = start
  const steps: Step[] = []
  const feed = (input: Input): Step => {
    const result = reduce(state, input)
    state = result.state
    steps.push(result)
    return result
  }
  return {
    get state() {
      return state
    },
    feed,
    line: (line: string, at: number) => feed({ type: 'monitor-line', line, at }),
    snap: (truth: Snapshot, at: number) => feed({ type: 'snapshot', snapshot: truth, at }),
    tick: (at: number) => feed({ type: 'tick', at }),
  }
}

const ready = () => {
  const d = drive()
  d.feed({ type: 'resync', reason: 'startup', at: T0 })
  d.snap(base, T0 + 5)
  return d
}

t.test('start-up: a resync asks for the first snapshot, which sets the report silently', async (t) => {
  const d = drive()
  t.same(d.feed({ type: 'resync', reason: 'startup', at: T0 }).effects, [{ type: 'take-snapshot' }])
  const first = d.snap(base, T0 + 5)
  t.same(first.emit, [])
  t.equal(d.state.ready, true)
  t.same(discoveryOf(d.state, T0 + 10), {
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
  t.equal(nextDeadline(d.state), undefined, 'idle: no timer')
})

t.test('a record opens a debounce window; quiet for debounceMs closes it and reads the truth', async (t) => {
  const d = ready()
  const opened = d.line('[ADDR]2: ens37    inet 10.0.0.6/24 scope global secondary ens37', T0 + 1000)
  t.same(opened.effects, [])
  t.equal(nextDeadline(d.state), T0 + 4000)
  t.same(d.tick(T0 + 3999).effects, [], 'not yet')
  t.same(d.tick(T0 + 4000).effects, [{ type: 'take-snapshot' }])
  t.equal(pendingCount(d.state), 1)
  const truth = snapshot([link(2, 'ens37', ['10.0.0.5/24', '10.0.0.6/24']), link(3, 'eth1', ['172.16.0.5/24'])], base.routes)
  const settled = d.snap(truth, T0 + 4010)
  t.equal(settled.emit.length, 1)
  t.match(settled.emit[0], {
    type: 'network_change',
    data: { interface: 'ens37', ipv4_addresses: [{ address: '10.0.0.5' }, { address: '10.0.0.6' }], gateway: '10.0.0.1' },
  })
  t.notOk('status' in (settled.emit[0]?.data ?? {}))
  t.equal(pendingCount(d.state), 0)
  t.equal(nextDeadline(d.state), undefined)
})

t.test('rapid records are batched; maxWait bounds an interface that never goes quiet', async (t) => {
  const d = ready()
  for (let at = T0 + 1000; at < T0 + 11_000; at += 1000) {
    const step = d.line('[LINK]2: ens37@vp1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 state UP', at)
    if (at < T0 + 11_000 - 1000) t.same(step.effects, [], `still open at +${at - T0}`)
  }
  t.equal(nextDeadline(d.state), T0 + 11_000, 'opened at +1000, max wait 10 s')
  t.same(d.tick(T0 + 11_000).effects, [{ type: 'take-snapshot' }])
})

t.test('changes on different interfaces do not delay each other', async (t) => {
  const d = ready()
  d.line('[ADDR]2: ens37    inet 10.0.0.6/24 scope global secondary ens37', T0 + 1000)
  d.line('[ADDR]3: eth1    inet 172.16.0.6/24 scope global secondary eth1', T0 + 2500)
  d.line('[ADDR]3: eth1    inet 172.16.0.7/24 scope global secondary eth1', T0 + 3500)
  t.same(d.tick(T0 + 4000).effects, [{ type: 'take-snapshot' }], 'ens37 is due although eth1 is busy')
  const truth = snapshot([link(2, 'ens37', ['10.0.0.5/24', '10.0.0.6/24']), link(3, 'eth1', ['172.16.0.5/24', '172.16.0.6/24'])], base.routes)
  const first = d.snap(truth, T0 + 4010)
  t.same(first.emit.map((event) => event.data.interface), ['ens37'], 'eth1 is still in its window: not reported early')
  t.equal(nextDeadline(d.state), T0 + 6500)
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
    const before = d.state
    const step = d.line(line, T0 + 1000)
    t.same(step, { state: before, emit: [], effects: [] }, line)
  }
  d.line('[ADDR]2: ens37    inet 10.0.0.5/24 scope global ens37', T0 + 1000)
  d.tick(T0 + 4000)
  t.same(d.snap(base, T0 + 4001).emit, [], 'a DHCP renewal of the same address')
})

t.test('default routes, multipath nexthops and JSON lines open windows for their devices', async (t) => {
  const d = ready()
  d.line('[ROUTE]default via 172.16.0.1 dev eth1 metric 50', T0 + 100)
  t.same([...d.state.windows.keys()], ['eth1'])
  const m = ready()
  m.line('[ROUTE]default metric 100 ', T0 + 100)
  m.line('\tnexthop via 10.0.0.1 dev ens37 weight 1', T0 + 100)
  m.line('\tnexthop via 172.16.0.1 dev eth1 weight 1', T0 + 100)
  t.same([...m.state.windows.keys()].sort(), ['ens37', 'eth1'])
  const o = ready()
  o.line('[ROUTE]10.50.0.0/16 metric 7 ', T0 + 100)
  o.line('\tnexthop via 10.0.0.1 dev ens37 weight 1', T0 + 100)
  t.equal(o.state.windows.size, 0, 'nexthops of another prefix are noise')
  const j = ready()
  j.line('{"ifname":"eth1","operstate":"DOWN"}', T0 + 100)
  t.same([...j.state.windows.keys()], ['eth1'])
})

t.test('leaving is a change: down, removed, and up without addresses', async (t) => {
  const d = ready()
  d.line('[LINK]2: ens37@vp1: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 state DOWN', T0 + 100)
  d.line('[LINK]Deleted 3: eth1@NONE: <BROADCAST,MULTICAST> mtu 1500 state DOWN', T0 + 100)
  d.tick(T0 + 3100)
  const gone = d.snap(snapshot([link(2, 'ens37', ['10.0.0.5/24'], { operstate: 'LOWERLAYERDOWN' })]), T0 + 3101)
  t.same(
    gone.emit.map((event) => event.data),
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
  t.same(discoveryOf(d.state, T0 + 4000).data.interfaces, [], 'left interfaces are not in the next discovery')

  const e = ready()
  e.line('[ADDR]Deleted 2: ens37    inet 10.0.0.5/24 scope global ens37', T0 + 100)
  e.tick(T0 + 3100)
  const bare = e.snap(snapshot([link(2, 'ens37'), link(3, 'eth1', ['172.16.0.5/24'])]), T0 + 3101)
  t.match(bare.emit[0]?.data, { interface: 'ens37', operstate: 'UP', ipv4_addresses: [], gateway: null })
  t.notOk(bare.emit[0] !== undefined && 'status' in bare.emit[0].data)
})

t.test('a flap that ends where it started emits nothing; re-creation reports the new index', async (t) => {
  const d = ready()
  d.line('[LINK]3: eth1@vp2: <BROADCAST,MULTICAST> mtu 1500 state DOWN', T0 + 100)
  d.line('[LINK]3: eth1@vp2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 state UP', T0 + 900)
  d.tick(T0 + 3900)
  t.same(d.snap(base, T0 + 3901).emit, [])

  const r = ready()
  r.line('[LINK]Deleted 3: eth1@NONE: <BROADCAST,MULTICAST> mtu 1500 state DOWN', T0 + 100)
  r.line('[LINK]7: eth1@vp9: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 state UP', T0 + 200)
  r.tick(T0 + 3200)
  const truth = snapshot([link(2, 'ens37', ['10.0.0.5/24']), link(7, 'eth1', ['172.16.0.5/24'])], base.routes)
  t.match(r.snap(truth, T0 + 3201).emit, [{ data: { interface: 'eth1', index: 7 } }])
})

t.test('a rename reports the old name removed and the new one present', async (t) => {
  const d = ready()
  d.line('[LINK]3: eth9@vp2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 state UP', T0 + 100)
  t.same([...d.state.windows.keys()].sort(), ['eth1', 'eth9'], 'the index names the old name too')
  d.tick(T0 + 3100)
  const truth = snapshot([link(2, 'ens37', ['10.0.0.5/24']), link(3, 'eth9', ['172.16.0.5/24'])], base.routes)
  t.match(d.snap(truth, T0 + 3101).emit, [
    { data: { interface: 'eth1', status: 'removed' } },
    { data: { interface: 'eth9', index: 3, operstate: 'UP' } },
  ])
})

t.test('a snapshot that shows an unannounced change opens a window instead of reporting at once', async (t) => {
  const d = ready()
  d.feed({ type: 'resync', reason: 'overrun', at: T0 + 100 })
  const truth = snapshot([link(2, 'ens37', ['10.0.0.5/24']), link(3, 'eth1', ['172.16.0.9/24'])], base.routes)
  t.same(d.snap(truth, T0 + 200).emit, [])
  t.equal(nextDeadline(d.state), T0 + 3200)
  t.same(d.tick(T0 + 3200).effects, [{ type: 'take-snapshot' }])
  t.match(d.snap(truth, T0 + 3201).emit, [{ data: { interface: 'eth1', ipv4_addresses: [{ address: '172.16.0.9' }] } }])
})

t.test('one snapshot in flight at a time; a resync during it asks for another after it', async (t) => {
  const d = ready()
  d.line('[ADDR]2: ens37    inet 10.0.0.6/24 scope global secondary ens37', T0 + 100)
  t.same(d.tick(T0 + 3100).effects, [{ type: 'take-snapshot' }])
  d.line('[ADDR]3: eth1    inet 172.16.0.6/24 scope global secondary eth1', T0 + 3105)
  t.same(d.tick(T0 + 6105).effects, [], 'eth1 is due but a snapshot is in flight')
  t.same(d.feed({ type: 'resync', reason: 'overrun', at: T0 + 6106 }).effects, [])
  t.equal(d.state.snapshot, 'in-flight-stale')
  t.same(d.snap(base, T0 + 6110).effects, [{ type: 'take-snapshot' }], 'eth1 waits for the next one')
  t.same(d.state.settling, new Set(['eth1']))
})

t.test('malformed lines are logged and resync, never thrown', async (t) => {
  const d = ready()
  const step = d.line('garbage from a future ip', T0 + 100)
  t.match(step.effects, [{ type: 'warn', message: /unrecognised monitor line.*resyncing/ }, { type: 'take-snapshot' }])
  const again = d.line('{"no":"names"}', T0 + 101)
  t.match(again.effects, [{ type: 'warn', message: /names no interface/ }])
  t.equal(d.state.snapshot, 'in-flight-stale')
})

t.test('records before the first snapshot are not lost', async (t) => {
  const d = drive()
  d.line('[ADDR]2: ens37    inet 10.0.0.6/24 scope global secondary ens37', T0)
  d.feed({ type: 'resync', reason: 'startup', at: T0 + 1 })
  d.snap(base, T0 + 2)
  t.equal(d.state.ready, true)
  t.equal(nextDeadline(d.state), T0 + 3000, 'its window survives the initial snapshot')
  d.tick(T0 + 3000)
  const truth = snapshot([link(2, 'ens37', ['10.0.0.5/24', '10.0.0.6/24']), link(3, 'eth1', ['172.16.0.5/24'])], base.routes)
  t.equal(d.snap(truth, T0 + 3001).emit.length, 1)
})

t.test('debounce 0 reads the truth on the record itself', async (t) => {
  const d = drive(initialState({ ...options, debounceMs: 0 }))
  d.feed({ type: 'resync', reason: 'startup', at: T0 })
  d.snap(base, T0 + 1)
  t.same(d.line('[ADDR]2: ens37    inet 10.0.0.6/24 scope global ens37', T0 + 2).effects, [{ type: 'take-snapshot' }])
})

t.test('the reducer is pure: same input, same output, input state untouched, for every input kind', async (t) => {
  const d = drive()
  const steps: [string, Input][] = [
    ['monitor line before ready', { type: 'monitor-line', line: '[ADDR]2: ens37    inet 10.0.0.6/24 scope global ens37', at: T0 }],
    ['resync while idle', { type: 'resync', reason: 'startup', at: T0 + 1 }],
    ['garbage while a snapshot is in flight', { type: 'monitor-line', line: 'garbage from a future ip', at: T0 + 2 }],
    ['resync while another snapshot is already owed', { type: 'resync', reason: 'overrun', at: T0 + 2 }],
    ['first snapshot', { type: 'snapshot', snapshot: base, at: T0 + 3 }],
    ['snapshot that settles nothing but sees a change', { type: 'snapshot', snapshot: snapshot([link(2, 'ens37', ['10.0.0.9/24'])]), at: T0 + 4 }],
    ['address record', { type: 'monitor-line', line: '[ADDR]3: eth1    inet 172.16.0.6/24 scope global eth1', at: T0 + 5 }],
    ['ignored record', { type: 'monitor-line', line: '[LINK]10: br-0f3e: <UP,LOWER_UP> mtu 1500 state UP', at: T0 + 5 }],
    ['multipath header', { type: 'monitor-line', line: '[ROUTE]default metric 100 ', at: T0 + 6 }],
    ['nexthop', { type: 'monitor-line', line: '\tnexthop via 10.0.0.1 dev ens37 weight 1', at: T0 + 6 }],
    ['JSON record', { type: 'monitor-line', line: '{"ifname":"eth1"}', at: T0 + 7 }],
    ['tick before any deadline', { type: 'tick', at: T0 + 8 }],
    ['tick that closes windows', { type: 'tick', at: T0 + 10_000 }],
    ['snapshot that settles and reports', { type: 'snapshot', snapshot: snapshot([link(2, 'ens37', ['10.0.0.9/24'])]), at: T0 + 10_001 }],
    ['idle tick', { type: 'tick', at: T0 + 20_000 }],
  ]
  let emitted = 0
  for (const [name, input] of steps) {
    const before = d.state
    const copy = deepClone(before)
    const first = reduce(before, input)
    t.strictSame(before, copy, `${name}: the state it was given is unchanged`)
    t.same(reduce(before, input), first, `${name}: same input, same output`)
    emitted += d.feed(input).emit.length
  }
  t.ok(emitted > 0, 'the sequence reports changes')
  const idle = d.state
  t.equal(reduce(idle, { type: 'tick', at: T0 + 30_000 }).state, idle, 'a no-op returns the same state')
})
