import t from 'tap'
import { LATE_PAUSE_CAP_MS, watchSubscription, type SubscriptionEvent } from '../../src/adapters/netlink-subscription.js'
import { createFakeClock } from '../helpers/fake-clock.js'

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
