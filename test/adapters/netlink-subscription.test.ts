import t from 'tap'
import { LATE_PAUSE_CAP_MS, readProcNetlink, watchSubscription, type SubscriptionEvent } from '../../src/adapters/netlink-subscription.js'
import { createFakeClock } from '../helpers/fake-clock.js'
import { inMountNamespace } from '../helpers/mount-namespace.js'

const HEADER = 'sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    Drops    Inode'
const row = (pid: number, groups: string): string => `0000000000000000 0   ${pid}     ${groups} 0        0        0     2        0        1234`

const watch = (subscribedAfterReads: number, timeoutMs = 1000) => {
  const clock = createFakeClock()
  const readsAt: number[] = []
  const events: { event: SubscriptionEvent; at: number }[] = []
  const controller = new AbortController()
  const start = clock.now()
  watchSubscription(
    42,
    {
      clock,
      timeoutMs,
      signal: controller.signal,
      readTable: () => {
        readsAt.push(clock.now() - start)
        return [HEADER, row(42, readsAt.length > subscribedAfterReads ? '00000511' : '00000000'), row(7, '00000511')].join('\n')
      },
    },
    (event) => events.push({ event, at: clock.now() - start }),
  )
  return { clock, readsAt, events, controller }
}

t.test('seen at once: one read, no timer', async (t) => {
  const w = watch(0)
  t.same(w.events, [{ event: 'subscribed', at: 0 }])
  t.equal(w.clock.pendingTimers(), 0)
})

t.test('pauses double up to 25 ms before the timeout, then go on doubling after it, to a cap', async (t) => {
  const w = watch(Number.POSITIVE_INFINITY, 100)
  await w.clock.advance(400_000)
  const pauses = w.readsAt.slice(1).map((at, index) => at - (w.readsAt[index] ?? 0))
  t.same(pauses.slice(0, 8), [2, 4, 8, 16, 25, 25, 25, 50], 'before the timeout: 2, 4, ... 25 ms; then doubling')
  t.ok(pauses.includes(LATE_PAUSE_CAP_MS) && Math.max(...pauses) === LATE_PAUSE_CAP_MS, `capped at ${LATE_PAUSE_CAP_MS} ms: ${pauses.join(' ')}`)
  t.same(w.events, [{ event: 'timed-out', at: 105 }], 'timed out once, at the first read past the timeout')
  w.controller.abort()
  t.equal(w.clock.pendingTimers(), 0, 'an abort (the child is gone) ends the watch')
})

t.test('seen late: timed out, then subscribed, and the watch ends', async (t) => {
  const w = watch(12, 100)
  await w.clock.advance(5000)
  t.same(w.events.map((e) => e.event), ['timed-out', 'subscribed'])
  t.equal(w.clock.pendingTimers(), 0)
  const reads = w.readsAt.length
  await w.clock.advance(100_000)
  t.equal(w.readsAt.length, reads, 'no read after the subscription was seen')
})

t.test('an unreadable table ends the watch', async (t) => {
  const clock = createFakeClock()
  const events: SubscriptionEvent[] = []
  watchSubscription(42, { clock, timeoutMs: 100, signal: new AbortController().signal, readTable: () => undefined }, (event) => events.push(event))
  t.same(events, ['unreadable'])
  t.equal(clock.pendingTimers(), 0)
})

t.test('an abort ends the watch: one before the start reads nothing, one from the timed-out callback reads no more', async (t) => {
  const clock = createFakeClock()
  let reads = 0
  const readTable = (): string => {
    reads += 1
    return HEADER
  }
  const before: SubscriptionEvent[] = []
  watchSubscription(42, { clock, timeoutMs: 100, signal: AbortSignal.abort(), readTable }, (event) => before.push(event))
  t.same([reads, before, clock.pendingTimers()], [0, [], 0], 'aborted before the start')

  const controller = new AbortController()
  const heard: SubscriptionEvent[] = []
  watchSubscription(42, { clock, timeoutMs: 0, signal: controller.signal, readTable }, (event) => {
    heard.push(event)
    controller.abort()
  })
  t.same([reads, heard, clock.pendingTimers()], [1, ['timed-out'], 0], 'aborted by the listener of timed-out: no next read is even timed')
  await clock.advance(10_000)
  t.equal(reads, 1)
})

t.test('readProcNetlink: the table of this namespace, or undefined where /proc is not mounted', async (t) => {
  t.match(readProcNetlink(), /^sk\s+Eth\s+Pid\s+Groups/, 'the real table')
  const module = new URL('../../src/adapters/netlink-subscription.js', import.meta.url).href
  const out = await inMountNamespace(
    t,
    [
      "import { execFileSync } from 'node:child_process'",
      `import { readProcNetlink } from ${JSON.stringify(module)}`,
      // An empty /proc, as in a container that has none.
      "execFileSync('mount', ['-t', 'tmpfs', 'none', '/proc'])",
      'process.stdout.write(JSON.stringify({ table: readProcNetlink() ?? null }))',
    ].join('\n'),
  )
  if (out === undefined) return
  t.same(JSON.parse(out), { table: null })
})
