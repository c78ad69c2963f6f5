import t from 'tap'
import { decodeInput } from '../../src/core/decode-input.js'
import type { Input } from '../../src/core/inputs.js'
import { statusOf } from '../../src/core/status.js'
import { createCoreStore } from '../../src/core/store.js'
import type { CoreOptions } from '../../src/core/state.js'
import { driveCore } from '../helpers/core-driver.js'
import { link, snapshot } from '../helpers/snapshot-builders.js'

const options: CoreOptions = { debounceMs: 3000, maxWaitMs: 10_000, ignore: [], acceptUnknownOperstate: false }
const T0 = Date.UTC(2025, 10, 20, 20, 30, 0)
const base = snapshot([link(2, 'ens37', ['10.0.0.5/24'])])
const moved = snapshot([link(2, 'ens37', ['10.0.0.6/24'])])

const ready = (retry?: { initialMs: number; maxMs: number }) => {
  const d = driveCore(options, createCoreStore(options, retry))
  d.resync('startup', T0)
  d.snap(base, T0 + 1)
  return d
}

t.test('onInput hears every input before it is reduced, until unsubscribed', async (t) => {
  const store = createCoreStore(options)
  const heard: [Input['type'], number][] = []
  const stop = store.onInput((input) => heard.push([input.type, store.getState().counts.resyncs]))
  store.dispatch({ type: 'resync', at: T0, reason: 'startup' })
  store.dispatch({ type: 'tick', at: T0 + 1 })
  stop()
  store.dispatch({ type: 'tick', at: T0 + 2 })
  t.same(heard, [['resync', 0], ['tick', 1]], 'in order, each heard before the state moved')
})

t.test('a dispatch from inside a dispatch is refused, and the store keeps working', async (t) => {
  const store = createCoreStore(options)
  let inner: unknown
  const stop = store.onInput(() => {
    try {
      store.dispatch({ type: 'tick', at: T0 })
    } catch (error) {
      inner = error
    }
  })
  store.dispatch({ type: 'resync', at: T0, reason: 'startup' })
  t.match(inner, { message: /dispatch of tick while another input is being reduced/ })
  stop()
  t.same(store.dispatch({ type: 'tick', at: T0 + 1 }), { events: [], effects: [] }, 'not stuck after the refusal')
})

t.test('a failed read is retried at the core deadline, with doubling backoff up to the cap', async (t) => {
  const d = ready({ initialMs: 100, maxMs: 300 })
  d.line('[ADDR]2: ens37    inet 10.0.0.6/24 scope global ens37', T0 + 10)
  t.same(d.tick(T0 + 3010).effects, [{ type: 'take-snapshot' }])
  t.same(d.fail('ip timed out', T0 + 3020).effects, [
    { type: 'log', level: 'warn', message: 'snapshot failed; retrying', fields: { error: 'ip timed out', delayMs: 100, failures: 1 } },
  ])
  t.equal(d.deadline(), T0 + 3120, 'the retry is a deadline beside the debounce deadlines')
  t.equal(d.pending(), 1, 'ens37 still waits')
  t.same(d.tick(T0 + 3119).effects, [], 'not before its time')
  t.same(d.tick(T0 + 3120).effects, [{ type: 'take-snapshot' }])
  t.equal(d.deadline(), undefined, 'no timer while a read is under way')
  t.match(d.fail('ip timed out', T0 + 3130).effects, [{ type: 'log', level: 'debug', fields: { delayMs: 200, failures: 2 } }], 'later failures log at debug')
  t.equal(d.deadline(), T0 + 3330)
  d.tick(T0 + 3330)
  t.match(d.fail('ip timed out', T0 + 3340).effects, [{ fields: { delayMs: 300, failures: 3 } }], 'capped')
  t.equal(d.deadline(), T0 + 3640)
  d.tick(T0 + 3640)
  const recovered = d.snap(moved, T0 + 3650)
  t.match(recovered.events, [{ type: 'network_change', data: { interface: 'ens37' } }], 'the change still arrives')
  t.same(recovered.effects, [{ type: 'log', level: 'info', message: 'snapshot recovered', fields: { failures: 3 } }])
  t.match(d.store.getState().counts, { snapshotsTaken: 2, snapshotsFailed: 3, lastSnapshotAt: T0 + 3650 })

  d.line('[ADDR]2: ens37    inet 10.0.0.7/24 scope global ens37', T0 + 4000)
  d.tick(T0 + 7000)
  t.match(d.fail('again', T0 + 7001).effects, [{ level: 'warn', fields: { delayMs: 100, failures: 1 } }], 'a success resets the backoff')
})

t.test('records and resyncs while a read backs off wait for the read after it', async (t) => {
  const d = ready()
  d.line('[ADDR]2: ens37    inet 10.0.0.6/24 scope global ens37', T0 + 10)
  d.tick(T0 + 3010)
  d.fail('boom', T0 + 3011)
  d.line('{"ifname":"eth1"}', T0 + 3012)
  t.same(d.resync('overrun', T0 + 3013).effects, [], 'no read while one backs off')
  t.same(d.tick(T0 + 3111).effects, [{ type: 'take-snapshot' }], 'the retry')
  t.same(d.snap(moved, T0 + 3112).effects.at(-1), { type: 'take-snapshot' }, 'the resync is owed one more read')
})

t.test('a snapshot that does not parse is a failed read: retried, never reported', async (t) => {
  const d = ready()
  d.line('[ADDR]2: ens37    inet 10.0.0.6/24 scope global ens37', T0 + 10)
  d.tick(T0 + 3010)
  const bad = d.feed({ type: 'snapshot', at: T0 + 3011, addr: { not: 'an array' }, route: [], wireless: [] })
  t.same(bad.events, [])
  t.match(bad.effects, [{ type: 'log', level: 'warn', message: 'snapshot failed; retrying', fields: { error: /did not print a JSON array/ } }])
  t.equal(d.deadline(), T0 + 3111)
  t.match(d.store.getState().counts, { snapshotsTaken: 1, snapshotsFailed: 1 })
})

t.test('a failure nobody asked for is counted and changes nothing else', async (t) => {
  const d = ready()
  const before = d.store.getState()
  t.same(d.fail('stray', T0 + 10), { events: [], effects: [] })
  t.same(d.store.getState(), { ...before, counts: { ...before.counts, snapshotsFailed: 1 } })
  t.equal(d.deadline(), undefined)
})

t.test('a snapshot that changes nothing keeps the very same report (the daemon caches on it)', async (t) => {
  const d = ready()
  const report = d.store.getState().report
  d.resync('overrun', T0 + 10)
  d.snap(base, T0 + 11)
  t.equal(d.store.getState().report, report)
  d.line('[ADDR]2: ens37    inet 10.0.0.6/24 scope global ens37', T0 + 20)
  d.tick(T0 + 3020)
  d.snap(moved, T0 + 3021)
  t.not(d.store.getState().report, report, 'a change makes a new one')
})

t.test('statusOf builds get_status from its parts', async (t) => {
  const d = ready()
  d.line('[ADDR]2: ens37    inet 10.0.0.6/24 scope global ens37', T0 + 10)
  d.tick(T0 + 3010)
  d.snap(moved, T0 + 3011)
  d.resync('overrun', T0 + 3500)
  d.fail('x', T0 + 3501)
  t.same(
    statusOf({
      version: '1.2.3',
      startedAt: T0 - 500,
      now: T0 + 9_600,
      state: d.store.getState(),
      monitor: { pid: 42, restarts: 1, overruns: 2, lastRecordAt: T0 + 10 },
      clientsConnected: 3,
    }),
    {
      version: '1.2.3',
      uptime_seconds: 10,
      ready: true,
      monitor: { pid: 42, restarts: 1, overruns: 2, last_record_time: '2025-11-20T20:30:00.010Z' },
      snapshots_taken: 2,
      snapshots_failed: 1,
      last_snapshot_time: '2025-11-20T20:30:03.011Z',
      resyncs: 2,
      pending_interfaces: 0,
      events_emitted: 1,
      clients_connected: 3,
    },
  )
  const fresh = createCoreStore(options).getState()
  t.match(statusOf({ version: 'v', startedAt: T0, now: T0, state: fresh, monitor: { pid: null, restarts: 0, overruns: 0, lastRecordAt: null }, clientsConnected: 0 }), {
    ready: false,
    uptime_seconds: 0,
    monitor: { pid: null, last_record_time: null },
    last_snapshot_time: null,
  })
})

t.test('decodeInput reads each kind of input line and names what is wrong with the others', async (t) => {
  const cases: [string, Input][] = [
    ['{"type":"monitor-line","at":1.5,"line":"[LINK]x"}', { type: 'monitor-line', at: 1.5, line: '[LINK]x' }],
    ['{"type":"tick","at":2}', { type: 'tick', at: 2 }],
    ['{"type":"resync","at":3,"reason":"overrun"}', { type: 'resync', at: 3, reason: 'overrun' }],
    ['{"type":"snapshot-failed","at":4,"error":"timed out"}', { type: 'snapshot-failed', at: 4, error: 'timed out' }],
    ['{"type":"snapshot","at":5,"addr":[],"route":{},"wireless":["wlan0",7]}', { type: 'snapshot', at: 5, addr: [], route: {}, wireless: ['wlan0'] }],
  ]
  for (const [line, input] of cases) t.same(decodeInput(line), { ok: true, value: input }, line)
  t.same(decodeInput('{nope'), { ok: false, error: 'not JSON: {nope' })
  t.same(decodeInput('[1]'), { ok: false, error: 'no numeric "at": [1]' })
  t.same(decodeInput('{"type":"tick","at":"1"}'), { ok: false, error: 'no numeric "at": {"type":"tick","at":"1"}' })
  for (const line of ['{"type":"monitor-line","at":1}', '{"type":"resync","at":1}', '{"type":"snapshot-failed","at":1}', '{"type":"snapshot","at":1}', '{"type":"other","at":1}']) {
    t.same(decodeInput(line), { ok: false, error: `unknown input: ${line}` }, line)
  }
  t.same(decodeInput('null'), { ok: false, error: 'no numeric "at": null' }, 'null is no object')
  t.equal((decodeInput(`{${'x'.repeat(200)}`) as { error: string }).error, `not JSON: {${'x'.repeat(79)}`)
  t.equal((decodeInput(`[${'1,'.repeat(100)}1]`) as { error: string }).error.length, 'no numeric "at": '.length + 80)
  const mixed: [string, Input['type']][] = [
    ['{"type":"resync","at":1,"reason":"r","line":"x"}', 'resync'],
    ['{"type":"snapshot-failed","at":1,"error":"e","reason":"r"}', 'snapshot-failed'],
    ['{"type":"snapshot","at":1,"addr":[],"route":[],"wireless":[],"error":"e"}', 'snapshot'],
  ]
  // t.equal, not t.match: a string pattern matches any text containing it ('snapshot-failed' holds 'snapshot').
  for (const [line, type] of mixed) {
    const decoded = decodeInput(line)
    t.equal(decoded.ok && decoded.value.type, type, `${line}: the type decides, not the fields`)
  }
  t.equal(decodeInput('{"type":"other","at":1,"wireless":[],"line":"x"}').ok, false)
  t.equal(decodeInput(`{"type":"x","at":1,"pad":"${'y'.repeat(200)}"}`).ok ? '' : (decodeInput(`{"type":"x","at":1,"pad":"${'y'.repeat(200)}"}`) as { error: string }).error.length, 'unknown input: '.length + 80, 'a long line is cut at 80 characters')
})

t.test('replay reports the warnings a live daemon would log, with their fields', async (t) => {
  const { replay } = await import('../../src/core/replay.js')
  const { raw } = await import('../helpers/snapshot-builders.js')
  const result = replay(options, [
    { type: 'resync', at: T0, reason: 'startup' },
    { type: 'snapshot', at: T0 + 1, ...raw(base) },
    { type: 'monitor-line', at: T0 + 2, line: 'garbage' },
    { type: 'snapshot-failed', at: T0 + 3, error: 'timed out' },
    { type: 'snapshot', at: T0 + 200, ...raw(moved) },
  ])
  t.same(result.warnings, ['unrecognised monitor line "garbage"; resyncing', 'snapshot failed; retrying {"error":"timed out","delayMs":100,"failures":1}'])
  t.match(result.events, [{ type: 'network_discovery' }], 'the resync settles nothing: the change waits in a window...')
  t.equal(result.events.length, 1, '...that the synthesized ticks close; no snapshot follows, so nothing more')
})

t.test('the discovery lists interfaces by index, whatever order they were first reported in', async (t) => {
  const d = driveCore(options)
  d.resync('startup', T0)
  d.snap(snapshot([link(3, 'eth1', ['172.16.0.5/24'])]), T0 + 1)
  const both = snapshot([link(2, 'ens37', ['10.0.0.5/24']), link(3, 'eth1', ['172.16.0.5/24']), link(1, 'dummy0', ['10.9.9.9/24'])])
  d.resync('overrun', T0 + 2)
  d.snap(both, T0 + 3)
  d.tick(T0 + 3003)
  d.snap(both, T0 + 3004)
  t.same(d.discovery(T0 + 4000).data.interfaces.map((entry) => entry.index), [1, 2, 3])
})
