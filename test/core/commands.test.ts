import fc from 'fast-check'
import t from 'tap'
import {
  INTERNAL_ERROR,
  INVALID_JSON,
  lineTooLong,
  MAX_QUOTED_COMMAND,
  quoteCommand,
  replyToLine,
  TOO_MANY_CLIENTS,
  type CommandContext,
} from '../../src/core/commands.js'
import { encodeLine } from '../../src/core/protocol.js'
import { FUZZ_SEED, lineOf, lineSpec, nestedText } from '../helpers/command-lines.js'
import { SAMPLE_STATUS } from '../helpers/sample-status.js'

const context: CommandContext = { status: () => SAMPLE_STATUS, interfaces: () => [] }

t.test('commands: one reply per line, never with a type field', async (t) => {
  t.same(replyToLine('{"command":"get_status"}', context), { success: true, status: SAMPLE_STATUS })
  t.same(replyToLine('{"command":"get_interfaces"}', context), { success: true, interfaces: [] })
  t.same(replyToLine('{"command":"dhcp_request","interface":"ens37"}', context), { success: false, error: 'Unknown command: dhcp_request' })
  t.same(replyToLine('{"foo":1}', context), { success: false, error: 'Unknown command: null' })
  t.same(replyToLine('{"command":7}', context), { success: false, error: 'Unknown command: 7' })
  t.same(replyToLine('nope', context), { success: false, error: 'Invalid JSON' })
  t.same(replyToLine('[1]', context), { success: false, error: 'Invalid JSON' })
  t.same(replyToLine('null', context), { success: false, error: 'Invalid JSON' })
  for (const scalar of ['7', '"get_status"', 'true', '']) t.same(replyToLine(scalar, context), { success: false, error: 'Invalid JSON' }, `${scalar}: not an object`)
  t.same(replyToLine('{"command":null}', context), { success: false, error: 'Unknown command: null' }, 'null is named null, not as an object')
})

t.test('the error replies clients match on, word for word', async (t) => {
  t.same(INVALID_JSON, { success: false, error: 'Invalid JSON' })
  t.same(TOO_MANY_CLIENTS, { success: false, error: 'Too many clients' })
  t.same(INTERNAL_ERROR, { success: false, error: 'Internal error: the connection is closed' })
  t.same(lineTooLong(65_536), { success: false, error: 'Line too long: the limit is 65536 bytes' })
})

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
