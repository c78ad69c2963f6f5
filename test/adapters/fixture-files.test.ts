import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { readFixture } from '../../src/adapters/fixture-files.js'
import { DEFAULT_CORE_OPTIONS } from '../../src/core/state.js'
import { tempDir } from '../helpers/temp-dir.js'

const RESYNC = { type: 'resync', at: 1000, reason: 'startup' }

t.test('a case without expected events yet reads with none; what case.json leaves out takes the defaults', async (t) => {
  const dir = tempDir(t, 'fixture')
  writeFileSync(join(dir, 'case.json'), '{}\n')
  writeFileSync(join(dir, 'inputs.jsonl'), `${JSON.stringify(RESYNC)}\n\n`)
  t.same(readFixture(dir), { description: '', options: DEFAULT_CORE_OPTIONS, inputs: [RESYNC], expected: [] })
})

t.test('expected.jsonl is read when there, and case.json options override the defaults', async (t) => {
  const dir = tempDir(t, 'fixture')
  writeFileSync(join(dir, 'case.json'), JSON.stringify({ description: 'd', options: { debounceMs: 7 } }))
  writeFileSync(join(dir, 'inputs.jsonl'), `${JSON.stringify(RESYNC)}\n`)
  writeFileSync(join(dir, 'expected.jsonl'), '{"type":"network_discovery"}\n')
  t.match(readFixture(dir), { description: 'd', options: { ...DEFAULT_CORE_OPTIONS, debounceMs: 7 }, expected: [{ type: 'network_discovery' }] })
})

t.test('an input line that does not decode throws, naming the file and the line', async (t) => {
  const dir = tempDir(t, 'fixture')
  writeFileSync(join(dir, 'case.json'), '{}')
  writeFileSync(join(dir, 'inputs.jsonl'), `${JSON.stringify(RESYNC)}\n{"type":"nonsense"}\n`)
  t.throws(() => readFixture(dir), { code: 'ERR_RECORD_OUT', message: new RegExp(`^${join(dir, 'inputs.jsonl')}:2: `) })
})

t.test('a corrupt expected.jsonl throws, naming file and line, instead of reading as no events', async (t) => {
  const cases = { 'not JSON': '{"type":"network_discovery"}\n\n{"type":"network_ch', 'not a JSON object': '{"type":"network_discovery"}\n\n[1]\n' }
  for (const [name, text] of Object.entries(cases)) {
    const dir = tempDir(t, 'fixture')
    writeFileSync(join(dir, 'case.json'), '{}')
    writeFileSync(join(dir, 'inputs.jsonl'), `${JSON.stringify(RESYNC)}\n`)
    writeFileSync(join(dir, 'expected.jsonl'), text)
    t.throws(() => readFixture(dir), { code: 'ERR_RECORD_OUT', message: new RegExp(`^${join(dir, 'expected.jsonl')}:3: ${name}`) }, name)
  }
})

t.test('expected.jsonl that exists but cannot be read throws; a bad case.json names its file', async (t) => {
  const unreadable = tempDir(t, 'fixture')
  writeFileSync(join(unreadable, 'case.json'), '{}')
  writeFileSync(join(unreadable, 'inputs.jsonl'), `${JSON.stringify(RESYNC)}\n`)
  mkdirSync(join(unreadable, 'expected.jsonl'))
  t.throws(() => readFixture(unreadable), { code: 'ERR_RECORD_OUT', message: /^cannot read .*expected\.jsonl: check its permissions$/ })
  const badCase = tempDir(t, 'fixture')
  writeFileSync(join(badCase, 'case.json'), '{"description":')
  t.throws(() => readFixture(badCase), { code: 'ERR_RECORD_OUT', message: new RegExp(`^${join(badCase, 'case.json')}:1: not JSON`) })
})

t.test('input line numbers count blank lines, as an editor does', async (t) => {
  const dir = tempDir(t, 'fixture')
  writeFileSync(join(dir, 'case.json'), '{}')
  writeFileSync(join(dir, 'inputs.jsonl'), `${JSON.stringify(RESYNC)}\n\n\n{"type":"nonsense"}\n`)
  t.throws(() => readFixture(dir), { message: new RegExp(`^${join(dir, 'inputs.jsonl')}:4: `) })
})
