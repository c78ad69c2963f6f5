import t from 'tap'
import { createAsyncQueue } from '../../src/client/async-queue.js'

t.test('pushed items are read in order, whether pushed before or after the read', async (t) => {
  const queue = createAsyncQueue<number>(() => {})
  queue.push(1)
  queue.push(2)
  t.equal(queue.buffered(), 2)
  const waiting = [queue.next(), queue.next(), queue.next()]
  t.equal(queue.buffered(), 0)
  queue.push(3)
  t.equal(queue.buffered(), 0, 'a waiting read takes it at once')
  t.same(await Promise.all(waiting), [
    { done: false, value: 1 },
    { done: false, value: 2 },
    { done: false, value: 3 },
  ])
})

t.test('the queue is its own async iterator: for await reads until end', async (t) => {
  const queue = createAsyncQueue<string>(() => {})
  t.equal(queue[Symbol.asyncIterator](), queue)
  queue.push('a')
  queue.push('b')
  setImmediate(() => {
    queue.push('c')
    queue.end()
  })
  const seen: string[] = []
  for await (const item of queue) seen.push(item)
  t.same(seen, ['a', 'b', 'c'])
})

t.test('end drops what is buffered, finishes waiting reads, and ignores later pushes', async (t) => {
  const queue = createAsyncQueue<number>(() => {})
  const waiting = queue.next()
  queue.end()
  t.same(await waiting, { done: true, value: undefined })
  const buffered = createAsyncQueue<number>(() => {})
  buffered.push(1)
  buffered.end()
  buffered.end()
  t.same(await buffered.next(), { done: true, value: undefined }, 'the buffered item is dropped')
  buffered.push(2)
  t.equal(buffered.buffered(), 0, 'a push after end is dropped')
  t.same(await buffered.next(), { done: true, value: undefined })
})

t.test('a break out of for await tells the owner once, and ends the queue', async (t) => {
  let returned = 0
  const queue = createAsyncQueue<number>(() => (returned += 1))
  queue.push(1)
  queue.push(2)
  for await (const item of queue) {
    t.equal(item, 1)
    break
  }
  t.equal(returned, 1)
  t.same(await queue.next(), { done: true, value: undefined }, 'what was buffered is gone')
})

t.test('dropBuffered empties the buffer but keeps the queue open', async (t) => {
  const queue = createAsyncQueue<number>(() => {})
  queue.push(1)
  queue.push(2)
  queue.dropBuffered()
  t.equal(queue.buffered(), 0)
  queue.push(3)
  t.same(await queue.next(), { done: false, value: 3 })
})
