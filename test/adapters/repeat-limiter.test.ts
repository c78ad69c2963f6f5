import t from 'tap'
import { createRepeatLimiter } from '../../src/adapters/repeat-limiter.js'
import { createFakeClock } from '../helpers/fake-clock.js'

const limiterOf = (maxKinds?: number) => {
  const clock = createFakeClock()
  const summaries: { key: string; count: number; sample: string; periodMs: number }[] = []
  const limiter = createRepeatLimiter({ clock, intervalMs: 1000, maxKinds, onSummary: (key, count, sample, periodMs) => summaries.push({ key, count, sample, periodMs }) })
  return { clock, summaries, limiter }
}

t.test('the first of a kind passes, repeats are counted and summarised at the end of the interval', async (t) => {
  const { clock, summaries, limiter } = limiterOf()
  t.equal(limiter.allow('a', 'a1'), true)
  t.equal(clock.pendingTimers(), 0, 'no timer for a message that passed')
  t.equal(limiter.allow('a', 'a2'), false)
  t.equal(limiter.allow('a', 'a3'), false)
  t.equal(limiter.allow('b', 'b1'), true, 'another kind passes')
  t.equal(clock.pendingTimers(), 1, 'one timer, only while repeats are held back')
  await clock.advance(999)
  t.same(summaries, [])
  await clock.advance(1)
  t.same(summaries, [{ key: 'a', count: 2, sample: 'a3', periodMs: 1000 }])
  t.equal(clock.pendingTimers(), 0, 'no timer once nothing is held back')
  t.equal(limiter.allow('a', 'a4'), false, 'still repeating: held back for another interval')
  await clock.advance(1000)
  t.same(summaries.at(-1), { key: 'a', count: 1, sample: 'a4', periodMs: 1000 })
  await clock.advance(5000)
  t.equal(summaries.length, 2, 'no summary of nothing')
  t.equal(clock.pendingTimers(), 0, 'idle: nothing ticks')
  t.equal(limiter.allow('a', 'a5'), true, 'after a quiet interval, the kind passes again')
})

t.test('flush summarises what is held back and cancels the timer', async (t) => {
  const { clock, summaries, limiter } = limiterOf()
  limiter.allow('a', 'a1')
  limiter.allow('a', 'a2')
  limiter.flush()
  t.same(summaries, [{ key: 'a', count: 1, sample: 'a2', periodMs: 1000 }])
  t.equal(clock.pendingTimers(), 0)
})

t.test('the kinds tracked are bounded: past the bound, new kinds share one', async (t) => {
  const { clock, summaries, limiter } = limiterOf(2)
  t.equal(limiter.allow('a', 'a'), true)
  t.equal(limiter.allow('b', 'b'), true)
  t.equal(limiter.allow('c', 'c'), true, 'the first of the overflow passes')
  t.equal(limiter.allow('d', 'd'), false, 'the next new kind is counted with it')
  await clock.advance(1000)
  t.same(summaries, [{ key: '(other messages)', count: 1, sample: 'd', periodMs: 1000 }])
  await clock.advance(2000)
  t.equal(limiter.allow('e', 'e'), true, 'quiet kinds are forgotten, making room')
  t.equal(limiter.allow('e', 'e'), false)
})
