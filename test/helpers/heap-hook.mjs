// Loaded into the daemon with `node --expose-gc --import` by tests only. On SIGUSR2: read
// the V8 heap figures, run a full GC, read them again, write a heap snapshot (only live
// objects) into $NETMON_TEST_HEAP_DIR, and print one JSON line on stderr saying where.
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8'
import { join } from 'node:path'

let taken = 0
const spaces = () => Object.fromEntries(getHeapSpaceStatistics().map((space) => [space.space_name, { size: space.space_size, used: space.space_used_size }]))

process.on('SIGUSR2', () => {
  const before = { memory: process.memoryUsage(), spaces: spaces() }
  globalThis.gc?.()
  const after = { memory: process.memoryUsage(), spaces: spaces() }
  const dir = process.env.NETMON_TEST_HEAP_DIR
  taken += 1
  const file = dir === undefined ? null : writeHeapSnapshot(join(dir, `heap-${taken}.heapsnapshot`))
  process.stderr.write(`${JSON.stringify({ heapHook: { gcExposed: typeof globalThis.gc === 'function', before, after, file } })}\n`)
})
