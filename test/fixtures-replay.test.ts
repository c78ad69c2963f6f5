import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { readFixture } from '../src/adapters/fixture-files.js'
import { replay } from '../src/core/replay.js'
import { protocolErrors } from './helpers/protocol-schema.js'

/**
 * Replays every recorded case under fixtures/ (see fixtures/README.md) on its own clock and
 * compares the events with the reviewed expected.jsonl, in the manner of tap-parser.
 */
const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url))

const cases = readdirSync(FIXTURES)
  .filter((name) => statSync(join(FIXTURES, name)).isDirectory())
  .sort()

t.ok(cases.length > 0, `fixture folders under ${FIXTURES}`)

for (const name of cases) {
  t.test(name, async (t) => {
    const fixture = readFixture(join(FIXTURES, name))
    t.ok(fixture.inputs.length > 0, 'the fixture has recorded inputs')
    t.equal(fixture.expected[0]?.type, 'network_discovery', 'the discovery comes first')
    for (const [line, event] of fixture.expected.entries()) {
      t.equal(protocolErrors(event), undefined, `expected.jsonl:${line + 1} fits the protocol schema`)
    }
    const result = replay(fixture.options, fixture.inputs)
    t.same(result.warnings, [], 'replay warns of nothing')
    t.same(result.events, fixture.expected, `replay of ${name} equals expected.jsonl`)
  })
}
