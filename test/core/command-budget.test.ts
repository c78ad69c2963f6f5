import t from 'tap'
import { createCommandBudget } from '../../src/core/command-budget.js'

t.test('a burst, then a rate; a long line costs more; waits say how long', async (t) => {
  let now = 0
  const budget = createCommandBudget(4, 10, () => now)
  t.same([budget.spend(30), budget.spend(30), budget.spend(30), budget.spend(30)], [0, 0, 0, 0], 'the burst')
  t.equal(budget.spend(30), 100, 'then one line per 100 ms')
  now = 100
  t.equal(budget.spend(30), 0)
  t.equal(budget.spend(2048), 300, 'a 2 KiB line costs 3')
  now = 10_000
  t.equal(budget.spend(64 * 1024), 0, 'a line past the bucket costs the whole bucket, not forever')
  t.equal(budget.spend(0), 100)
})

t.test('a wait counts the part of a token already refilled', async (t) => {
  let now = 0
  const budget = createCommandBudget(1, 1, () => now)
  t.equal(budget.spend(0), 0)
  now = 400
  t.equal(budget.spend(0), 600, '0.4 of the token is back: 600 ms to go, not 1000 or 1400')
  now = 1000
  t.equal(budget.spend(0), 0)
})
