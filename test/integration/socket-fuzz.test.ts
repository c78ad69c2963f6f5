import fc from 'fast-check'
import t from 'tap'
import { FUZZ_SEED, isAnswered, lineOf, lineSpec } from '../helpers/command-lines.js'
import { assertProtocolLines } from '../helpers/protocol-schema.js'
import { served } from '../helpers/served-socket.js'
import { ask, parseLine } from '../helpers/socket-client.js'
import { sleep } from '../helpers/wait.js'

// The command channel against the real daemon through its real socket: whatever a client
// sends, split wherever, each line gets exactly one reply in order, and the daemon serves on.

const MAX_LINE = 64 * 1024

/** Lines to send, and the points at which to cut the byte stream into writes. */
const session = fc.record({
  specs: fc.array(lineSpec, { minLength: 1, maxLength: 12 }),
  cuts: fc.array(fc.integer({ min: 0, max: 1 << 20 }), { maxLength: 8 }),
})

t.test(`property: every line gets exactly one reply or the documented close (seed ${FUZZ_SEED})`, async (t) => {
  const s = await served(t, 'fuzz')
  if (s === undefined) return
  const watcher = await s.connect()
  await watcher.lines.waitForCount(1)
  let runs = 0
  await fc.assert(
    fc.asyncProperty(session, async ({ specs, cuts }) => {
      runs += 1
      const lines = specs.map(lineOf)
      const client = await s.connect()
      await client.lines.waitForCount(1)
      const stream = Buffer.concat(lines.flatMap((line) => [line, Buffer.from('\n')]))
      const points = [...new Set(cuts.map((cut) => cut % (stream.length + 1)))].sort((a, b) => a - b)
      let from = 0
      for (const point of [...points, stream.length]) {
        client.socket.write(stream.subarray(from, point))
        from = point
        await sleep(0)
      }
      const expected = lines.filter(isAnswered).length
      const replies = (await client.lines.waitForCount(1 + expected, 15_000)).slice(1).map(parseLine)
      client.close()
      if (replies.some((reply) => 'type' in reply || typeof reply.success !== 'boolean')) return false
      const commands = lines.filter(isAnswered).map((line) => line.toString('utf8').trim())
      // Real commands are answered with success, in order.
      return commands.every((command, index) => !/^\{"command":"get_(status|interfaces)"\}$/.test(command) || replies[index]?.success === true)
    }),
    { seed: FUZZ_SEED, numRuns: Number(process.env.FC_RUNS ?? 40) },
  )
  t.pass(`${runs} sessions`)
  // A line over the limit is the one documented close.
  const long = await s.connect()
  await long.lines.waitForCount(1)
  long.sendRaw(`${'x'.repeat(MAX_LINE + 1)}\n`)
  t.match(parseLine((await long.lines.waitForCount(2))[1]), { success: false, error: /Line too long/ })
  await long.closedWithin()
  t.match(await ask(watcher, { command: 'get_status' }), { success: true }, 'the daemon still serves')
  assertProtocolLines(t, watcher.lines.lines)
})
