import { getHeapSpaceStatistics } from 'node:v8'

/**
 * Loaded into the daemon by the memory and route scenarios (`node --import heap-hook.js`),
 * never by netmon itself. SIGUSR2 prints the heap figures as they are; SIGWINCH (ignored by
 * node otherwise) runs a full GC first when node runs with --expose-gc, so the heap then
 * holds only live objects. One JSON line on stderr, numbered so a reader can find its own.
 */
let seq = 0

const report = (afterGc: boolean): void => {
  const collect = (globalThis as { gc?: () => void }).gc
  if (afterGc) collect?.()
  seq += 1
  const memory = process.memoryUsage()
  const newSpace = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')
  const figures = {
    seq,
    afterGc: afterGc && collect !== undefined,
    rss: memory.rss,
    heapTotal: memory.heapTotal,
    heapUsed: memory.heapUsed,
    external: memory.external,
    newSpace: newSpace?.space_size ?? null,
  }
  process.stderr.write(`${JSON.stringify({ benchHeap: figures })}\n`)
}

process.on('SIGUSR2', () => report(false))
process.on('SIGWINCH', () => report(true))
