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

/**
 * Cases whose expected.jsonl is right (it is what the live daemon emitted, reviewed by hand)
 * but whose replay is not: a bug in src/, kept visible as a todo until it is fixed.
 */
const TICKS_NOT_RECORDED =
  'src/core/replay.ts fires each tick exactly at its deadline, but the live timer fires late and ' +
  'ticks are not recorded: two windows under 1 ms apart closed together live (one snapshot ' +
  'settled both) and apart in replay, where the second snapshot was never recorded'
const KNOWN_REPLAY_BUGS: Readonly<Record<string, string>> = {
  /** Deleting the multipath default: eth1 (window 0.64 ms after ens37's) never settles. */
  'multipath-default': TICKS_NOT_RECORDED,
  /** Carrier back: ens37 (window 0.31 ms after its peer vp1's) never settles. */
  'carrier-loss': TICKS_NOT_RECORDED,
}

const cases = readdirSync(FIXTURES)
  .filter((name) => statSync(join(FIXTURES, name)).isDirectory())
  .sort()

t.ok(cases.length > 0, `fixture folders under ${FIXTURES}`)

for (const name of cases) {
  const todo = KNOWN_REPLAY_BUGS[name]
  t.test(name, todo === undefined ? {} : { todo }, async (t) => {
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

t.test('every known replay bug names a fixture that exists', async (t) => {
  for (const name of Object.keys(KNOWN_REPLAY_BUGS)) t.ok(cases.includes(name), name)
})
