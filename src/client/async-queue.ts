/**
 * A push queue read as one async iterator: `push` never blocks (events buffer until the
 * consumer reads them), `end` finishes the iteration at once and drops what is buffered.
 * The owner bounds it: `buffered()` says how much is waiting, `dropBuffered()` discards it.
 */
export interface AsyncQueue<T> extends AsyncIterableIterator<T> {
  push(item: T): void
  end(): void
  buffered(): number
  dropBuffered(): void
}

export const createAsyncQueue = <T>(onReturn: () => void): AsyncQueue<T> => {
  const buffered: T[] = []
  const waiting: ((result: IteratorResult<T, undefined>) => void)[] = []
  let ended = false
  const done = (): IteratorResult<T, undefined> => ({ done: true, value: undefined })

  const queue: AsyncQueue<T> = {
    push(item) {
      if (ended) return
      const wake = waiting.shift()
      if (wake === undefined) buffered.push(item)
      else wake({ done: false, value: item })
    },
    buffered: () => buffered.length,
    dropBuffered() {
      buffered.length = 0
    },
    end() {
      if (ended) return
      ended = true
      buffered.length = 0
      for (const wake of waiting.splice(0)) wake(done())
    },
    next() {
      if (buffered.length > 0) return Promise.resolve({ done: false, value: buffered.shift() as T })
      if (ended) return Promise.resolve(done())
      return new Promise((resolve) => waiting.push(resolve))
    },
    return() {
      // A `break` out of `for await` lands here: the consumer is done with the connection.
      onReturn()
      queue.end()
      return Promise.resolve(done())
    },
    [Symbol.asyncIterator]() {
      return queue
    },
  }
  return queue
}
