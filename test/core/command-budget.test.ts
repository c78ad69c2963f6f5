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
