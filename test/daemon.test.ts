import t from 'tap'
import type { MonitorCallbacks } from '../src/adapters/ip-monitor.js'
import { silentLogger } from '../src/adapters/logger.js'
import type { RawSnapshot } from '../src/core/parse-snapshot.js'
import type { Input } from '../src/core/inputs.js'
import { encodeLine, type NetworkChange, type ProtocolEvent } from '../src/core/protocol.js'
import { replay } from '../src/core/replay.js'
import { DEFAULT_CORE_OPTIONS } from '../src/core/state.js'
import { createDaemon, type DaemonOptions } from '../src/daemon.js'
import { createFakeClock } from './helpers/fake-clock.js'

const addr = (addresses: string[]) => [
  {
    ifindex: 2,
    ifname: 'ens37',
    operstate: 'UP',
    flags: ['UP', 'LOWER_UP'],
    addr_info: addresses.map((cidr) => ({ family: 'inet', local: cidr.split('/')[0], prefixlen: Number(cidr.split('/')[1]) })),
  },
]

const options: DaemonOptions = {
  core: DEFAULT_CORE_OPTIONS,
  ipPath: 'ip',
  snapshotTimeoutMs: 1000,
  subscribeTimeoutMs: 1000,
  maxBackoffMs: 5000,
}

/** The daemon with a fake clock, a scripted monitor and a scripted kernel. */
const harness = () => {
  const clock = createFakeClock()
  let monitor: MonitorCallbacks | undefined
  let truth: RawSnapshot = { addr: addr(['10.0.0.5/24']), route: [], wireless: [] }
  let failNext = 0
  let reads = 0
  const readTimes: number[] = []
  const changes: NetworkChange[] = []
  const daemon = createDaemon(options, {
    clock,
    logger: silentLogger,
    readSnapshot: async () => {
      reads += 1
      readTimes.push(clock.now())
      if (failNext > 0) {
        failNext -= 1
        throw new Error('ip -json addr show timed out')
      }
      return truth
    },
    startMonitor: (callbacks) => {
      monitor = callbacks
      return { stats: () => ({ pid: 42, restarts: 0, overruns: 0, lastRecordAt: null }), stop: async () => {} }
    },
  })
  daemon.start()
  daemon.subscribe({ onChange: (event) => changes.push(event) })
  return {
    clock,
    daemon,
    changes,
    monitor: () => {
      if (monitor === undefined) throw new Error('monitor not started')
      return monitor
    },
    setTruth: (addresses: string[]) => (truth = { addr: addr(addresses), route: [], wireless: [] }),
    setRawAddr: (raw: unknown) => (truth = { addr: raw, route: [], wireless: [] }),
    failSnapshots: (count: number) => (failNext = count),
    reads: () => reads,
    /** Milliseconds between consecutive snapshot reads, from read number `from` on. */
    readGaps: (from: number) => readTimes.slice(from + 1).map((at, i) => at - (readTimes[from + i] ?? at)),
  }
}

/** The harness once the monitor is subscribed and the first snapshot is in. */
const started = async () => {
  const h = harness()
  h.monitor().onSubscribed('startup')
  await h.daemon.ready
  return h
}

t.test('subscribe, then list: no snapshot before the monitor is subscribed', async (t) => {
  const h = harness()
  await h.clock.advance(100)
  t.equal(h.reads(), 0)
  t.equal(h.daemon.isReady(), false)
  h.monitor().onSubscribed('startup')
  await h.daemon.ready
  t.equal(h.reads(), 1)
  t.match(h.daemon.discovery().data.interfaces, [{ interface: 'ens37' }])
  t.equal(h.daemon.discoveryLine(), encodeLine(h.daemon.discovery()), 'the cached line is the same bytes')
  h.setTruth(['10.0.0.9/24'])
  h.monitor().onLine('[ADDR]2: ens37    inet 10.0.0.9/24 scope global ens37')
  await h.clock.advance(3000)
  t.match(JSON.parse(h.daemon.discoveryLine()), { data: { interfaces: [{ ipv4_addresses: [{ address: '10.0.0.9' }] }] } }, 'renewed after a change')
  t.equal(h.daemon.discoveryLine(), encodeLine(h.daemon.discovery()))
})

t.test('debounce on the real timer path: reported 3 s after the last record, not before', async (t) => {
  const h = await started()
  h.setTruth(['10.0.0.5/24', '10.0.0.6/24'])
  h.monitor().onLine('[ADDR]2: ens37    inet 10.0.0.6/24 scope global secondary ens37')
  await h.clock.advance(2999)
  t.equal(h.changes.length, 0)
  t.equal(h.daemon.status().pending_interfaces, 1)
  await h.clock.advance(1)
  t.equal(h.changes.length, 1)
  t.equal(h.clock.pendingTimers(), 0, 'idle again: no timer left ticking')
  t.match(h.daemon.status(), { snapshots_taken: 2, resyncs: 1, pending_interfaces: 0, events_emitted: 1, monitor: { pid: 42 } })
})

t.test('a failing snapshot is retried with backoff and the change still arrives', async (t) => {
  const h = await started()
  h.failSnapshots(3)
  h.setTruth(['10.0.0.7/24'])
  h.monitor().onLine('[ADDR]2: ens37    inet 10.0.0.7/24 scope global ens37')
  const firstRead = h.reads()
  await h.clock.advance(3000)
  t.equal(h.changes.length, 0, 'first read failed')
  await h.clock.advance(100 + 200 + 400)
  t.equal(h.changes.length, 1)
  t.match(h.daemon.status(), { snapshots_failed: 3 })
  t.same(h.readGaps(firstRead), [100, 200, 400], 'each retry waits twice as long as the one before')
})

t.test('the retry backoff is capped at maxBackoffMs and resets after a success', async (t) => {
  const h = await started()
  h.failSnapshots(8)
  h.setTruth(['10.0.0.7/24'])
  const firstRead = h.reads()
  h.monitor().onLine('[ADDR]2: ens37    inet 10.0.0.7/24 scope global ens37')
  await h.clock.advance(3000 + 100 + 200 + 400 + 800 + 1600 + 3200 + 5000 + 5000)
  t.equal(h.changes.length, 1)
  t.same(h.readGaps(firstRead), [100, 200, 400, 800, 1600, 3200, 5000, 5000], 'doubling up to the 5 s cap')

  h.failSnapshots(1)
  h.setTruth(['10.0.0.8/24'])
  const secondRead = h.reads()
  h.monitor().onLine('[ADDR]2: ens37    inet 10.0.0.8/24 scope global ens37')
  await h.clock.advance(3000 + 100)
  t.equal(h.changes.length, 2)
  t.same(h.readGaps(secondRead), [100], 'a new failure starts from 100 ms again')
})

t.test('a snapshot that does not parse is retried, not reported', async (t) => {
  const h = await started()
  h.setRawAddr({ not: 'an array' })
  h.monitor().onLine('[ADDR]2: ens37    inet 10.0.0.7/24 scope global ens37')
  await h.clock.advance(3000)
  t.equal(h.changes.length, 0)
  t.equal(h.daemon.status().snapshots_failed, 1)
  h.setTruth(['10.0.0.7/24'])
  await h.clock.advance(100)
  t.equal(h.changes.length, 1)
})

t.test('an overrun resyncs; stop cancels everything', async (t) => {
  const h = await started()
  h.setTruth(['10.0.0.8/24'])
  h.monitor().onOverrun('overrun')
  await h.clock.advance(10)
  t.equal(h.daemon.status().resyncs, 2)
  t.equal(h.daemon.status().pending_interfaces, 1, 'the lost change waits in a window')
  await h.daemon.stop()
  await h.clock.advance(5000)
  t.equal(h.changes.length, 0, 'nothing after stop')
  t.equal(h.clock.pendingTimers(), 0)
})

t.test('one tap records every input, failed reads and ticks included, and the recording replays to the same events', async (t) => {
  const h = harness()
  const inputs: Input[] = []
  const live: ProtocolEvent[] = []
  h.daemon.subscribe({ onInput: (input) => inputs.push(input), onReady: (event) => live.push(event), onChange: (event) => live.push(event) })
  h.monitor().onSubscribed('startup')
  await h.daemon.ready
  h.failSnapshots(1)
  h.setRawAddr('not a list')
  h.monitor().onLine('[ADDR]2: ens37    inet 10.0.0.7/24 scope global ens37')
  await h.clock.advance(3000 + 100)
  h.setTruth(['10.0.0.7/24'])
  await h.clock.advance(200)
  t.equal(live.length, 2, 'the discovery and one change')
  t.same(
    inputs.map((input) => input.type),
    ['resync', 'snapshot', 'monitor-line', 'tick', 'snapshot-failed', 'tick', 'snapshot', 'tick', 'snapshot'],
    'a read that throws and one that does not parse are both in the recording, with their retry ticks',
  )
  t.same(replay(options.core, inputs), { events: live, warnings: ['snapshot failed; retrying {"error":"ip -json addr show timed out","delayMs":100,"failures":1}'] })
})

t.test('a read that rejects with something other than an Error is recorded by its text', async (t) => {
  const inputs: Input[] = []
  let monitor: MonitorCallbacks | undefined
  const daemon = createDaemon(
    options,
    {
      clock: createFakeClock(),
      logger: silentLogger,
      readSnapshot: () => Promise.reject('ip went away' as unknown as Error),
      startMonitor: (callbacks) => {
        monitor = callbacks
        return { stats: () => ({ pid: 42, restarts: 0, overruns: 0, lastRecordAt: null }), stop: async () => {} }
      },
    },
    '0.0.0',
    [{ onInput: (input) => inputs.push(input) }],
  )
  daemon.start()
  monitor?.onSubscribed('startup')
  await new Promise((resolve) => setImmediate(resolve))
  t.match(inputs, [{ type: 'resync' }, { type: 'snapshot-failed', error: 'ip went away' }])
  t.equal(daemon.status().snapshots_failed, 1)
  await daemon.stop()
})

t.test('a stop from inside a dispatch arms no timer for the deadline that dispatch made', async (t) => {
  const h = await started()
  h.daemon.subscribe({ onInput: () => void h.daemon.stop() })
  h.setTruth(['10.0.0.5/24', '10.0.0.6/24'])
  h.monitor().onLine('[ADDR]2: ens37    inet 10.0.0.6/24 scope global secondary ens37')
  t.equal(h.clock.pendingTimers(), 0, 'the debounce window opened, but no timer was armed after stop')
  await h.clock.advance(5000)
  t.equal(h.changes.length, 0)
})

t.test('nothing runs before start; start spawns the monitor once, and never after stop', async (t) => {
  const spawned: MonitorCallbacks[] = []
  const deps = {
    clock: createFakeClock(),
    logger: silentLogger,
    readSnapshot: () => Promise.reject(new Error('no snapshot before the monitor is subscribed')),
    startMonitor: (callbacks: MonitorCallbacks) => {
      spawned.push(callbacks)
      return { stats: () => ({ pid: 42, restarts: 1, overruns: 2, lastRecordAt: 3 }), stop: async () => {} }
    },
  }
  const daemon = createDaemon(options, deps)
  t.equal(spawned.length, 0, 'created: no monitor yet')
  t.same(daemon.status().monitor, { pid: null, restarts: 0, overruns: 0, last_record_time: null }, 'a monitor not started reads as never run')
  t.equal(daemon.isReady(), false)
  daemon.start()
  daemon.start()
  t.equal(spawned.length, 1, 'a second start spawns nothing')
  t.equal(daemon.status().monitor.pid, 42, 'status reads the running monitor')
  await daemon.stop()

  const stoppedFirst = createDaemon(options, deps)
  await stoppedFirst.stop()
  stoppedFirst.start()
  t.equal(spawned.length, 1, 'a start after stop spawns nothing')
})
