import { appendFileSync, cpSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { tempDir } from '../helpers/temp-dir.js'
import { runProgram } from './run-program.js'

// Fixture timestamps are local time, recorded with TZ=UTC.
process.env.TZ = 'UTC'

const FIXTURE = new URL('../../fixtures/hand-written-ticks/', import.meta.url)

t.test('netmon replay prints the events on stdout and the core warnings on stderr, and exits 0', async (t) => {
  const dir = join(tempDir(t, 'replay-warn'), 'case')
  cpSync(FIXTURE, dir, { recursive: true })
  const last = readFileSync(join(dir, 'inputs.jsonl'), 'utf8').trim().split('\n').at(-1) ?? ''
  const at = (JSON.parse(last) as { at: number }).at + 1000
  appendFileSync(join(dir, 'inputs.jsonl'), `${JSON.stringify({ type: 'monitor-line', at, line: 'garbage' })}\n`)

  const result = await runProgram(['replay', dir])
  t.equal(result.exitCode, 0)
  t.equal(result.out, readFileSync(join(dir, 'expected.jsonl'), 'utf8'), 'the events, as the untouched fixture expects them')
  t.equal(result.err, 'netmon replay: warning: unrecognised monitor line "garbage"; resyncing\n', 'one line per warning')
})

t.test('netmon replay of a folder that is no fixture: one line and exit 1', async (t) => {
  const dir = tempDir(t, 'replay-empty')
  const result = await runProgram(['replay', dir])
  t.equal(result.exitCode, 1)
  t.equal(result.out, '')
  t.equal(result.err, `netmon replay: cannot read ${join(dir, 'case.json')}: is ${dir} a fixture folder?\n`)
})
