import fc from 'fast-check'
import t from 'tap'
import { MAX_QUOTED_COMMAND, quoteCommand, replyToLine, type CommandContext } from '../../src/core/commands.js'
import { encodeLine } from '../../src/core/protocol.js'
import { FUZZ_SEED, lineOf, lineSpec, nestedText } from '../helpers/command-lines.js'

const context: CommandContext = {
  status: () => ({
    version: 'x',
    uptime_seconds: 1,
    ready: true,
    monitor: { pid: 7, restarts: 0, overruns: 0, last_record_time: null },
    snapshots_taken: 1,
    snapshots_failed: 0,
    last_snapshot_time: null,
    resyncs: 0,
    pending_interfaces: 0,
    events_emitted: 0,
    clients_connected: 0,
  }),
  interfaces: () => [],
}

t.test('a command nested 30,000 deep is named by its kind, not echoed', async (t) => {
  for (const kind of ['array', 'object'] as const) {
    const reply = replyToLine(`{"command":${nestedText(30_000, kind)}}`, context)
    t.same(reply, { success: false, error: `Unknown command: (an ${kind})` })
  }
  t.equal(quoteCommand('x'.repeat(MAX_QUOTED_COMMAND)), 'x'.repeat(MAX_QUOTED_COMMAND), 'a name at the limit is whole')
  t.equal(quoteCommand('x'.repeat(MAX_QUOTED_COMMAND + 1)), `${'x'.repeat(MAX_QUOTED_COMMAND)}...`)
  t.equal(quoteCommand(undefined), 'null')
  t.equal(quoteCommand(true), 'true')
  t.equal(quoteCommand(-1.5e300), '-1.5e+300')
})

t.test('property: every line gets one short reply without "type", and nothing throws', async (t) => {
  t.comment(`fast-check seed ${FUZZ_SEED} (FC_SEED=... to change)`)
  fc.assert(
    fc.property(lineSpec, (spec) => {
      const reply = replyToLine(lineOf(spec).toString('utf8').trim(), context)
      const line = encodeLine(reply)
      if ('type' in reply || typeof reply.success !== 'boolean') return false
      // An error reply quotes at most a short name: JSON escapes make a char at most 12 bytes.
      return reply.success || Buffer.byteLength(line) < 100 + 12 * MAX_QUOTED_COMMAND
    }),
    { seed: FUZZ_SEED, numRuns: 2000 },
  )
  t.pass('2000 lines')
})
