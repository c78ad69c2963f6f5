import { createWriteStream, readFileSync, writeFileSync, type WriteStream } from 'node:fs'
import { join } from 'node:path'
import type { ProtocolEvent } from '../core/protocol.js'
import { decodeInput } from '../core/decode-input.js'
import type { Input } from '../core/inputs.js'
import { DEFAULT_CORE_OPTIONS, type CoreOptions } from '../core/state.js'
import { ensureFolder } from './ensure-folder.js'
import { NetmonError } from './errors.js'

/**
 * A fixture is a folder: `case.json` (description and core options), `inputs.jsonl` (the
 * recorded inputs) and `expected.jsonl` (the events, one JSON line each).
 */
export interface Fixture {
  description: string
  options: CoreOptions
  inputs: Input[]
  expected: ProtocolEvent[]
}

const CASE_FILE = 'case.json'
const INPUTS_FILE = 'inputs.jsonl'
const EXPECTED_FILE = 'expected.jsonl'

const jsonLines = (text: string): string[] => text.split('\n').filter((line) => line.trim() !== '')

/** Reads a fixture folder; a bad line throws a NetmonError naming file and line. */
export const readFixture = (dir: string): Fixture => {
  const read = (file: string): string => {
    try {
      return readFileSync(join(dir, file), 'utf8')
    } catch (cause) {
      throw new NetmonError('ERR_RECORD_OUT', `cannot read ${join(dir, file)}: is ${dir} a fixture folder?`, { cause })
    }
  }
  const header = JSON.parse(read(CASE_FILE)) as { description?: string; options?: Partial<CoreOptions> }
  const inputs = jsonLines(read(INPUTS_FILE)).map((line, index) => {
    const decoded = decodeInput(line)
    if (!decoded.ok) throw new NetmonError('ERR_RECORD_OUT', `${join(dir, INPUTS_FILE)}:${index + 1}: ${decoded.error}`)
    return decoded.value
  })
  let expected: ProtocolEvent[] = []
  try {
    expected = jsonLines(readFileSync(join(dir, EXPECTED_FILE), 'utf8')).map((line) => JSON.parse(line) as ProtocolEvent)
  } catch {
    // A fresh recording without expected events yet: replay still works.
  }
  return {
    description: header.description ?? '',
    options: { ...DEFAULT_CORE_OPTIONS, ...header.options },
    inputs,
    expected,
  }
}

export interface FixtureWriter {
  input(input: Input): void
  event(event: ProtocolEvent): void
  close(): Promise<void>
}

/** Starts a fixture folder for `netmon record`; fails at once when `dir` is not writable. */
export const createFixtureWriter = (dir: string, description: string, options: CoreOptions): FixtureWriter => {
  try {
    ensureFolder(dir)
    writeFileSync(join(dir, CASE_FILE), `${JSON.stringify({ description, options }, null, 2)}\n`)
  } catch (cause) {
    throw new NetmonError('ERR_RECORD_OUT', `cannot write a fixture to ${dir}: pass a writable --out folder`, { cause })
  }
  const inputs = createWriteStream(join(dir, INPUTS_FILE))
  const events = createWriteStream(join(dir, EXPECTED_FILE))
  const end = (stream: WriteStream): Promise<void> => new Promise((resolve) => stream.end(resolve))
  return {
    input: (input) => inputs.write(`${JSON.stringify(input)}\n`),
    event: (event) => events.write(`${JSON.stringify(event)}\n`),
    close: async () => {
      await Promise.all([end(inputs), end(events)])
    },
  }
}

