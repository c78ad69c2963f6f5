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

/** The non-blank lines of a JSON-lines file, with their 1-based line numbers. */
const jsonLines = (text: string): { line: string; number: number }[] =>
  text
    .split('\n')
    .map((line, index) => ({ line, number: index + 1 }))
    .filter(({ line }) => line.trim() !== '')

const badLine = (path: string, number: number, reason: string): NetmonError =>
  new NetmonError('ERR_RECORD_OUT', `${path}:${number}: ${reason}; fix or delete the line`)

const parseJson = (path: string, number: number, text: string): unknown => {
  try {
    return JSON.parse(text) as unknown
  } catch (cause) {
    throw badLine(path, number, `not JSON (${(cause as Error).message})`)
  }
}

/** Reads a fixture folder; a bad line throws a NetmonError naming file and line. */
export const readFixture = (dir: string): Fixture => {
  const read = (file: string): string => {
    try {
      return readFileSync(join(dir, file), 'utf8')
    } catch (cause) {
      throw new NetmonError('ERR_RECORD_OUT', `cannot read ${join(dir, file)}: is ${dir} a fixture folder?`, { cause })
    }
  }
  const header = parseJson(join(dir, CASE_FILE), 1, read(CASE_FILE)) as { description?: string; options?: Partial<CoreOptions> }
  const inputs = jsonLines(read(INPUTS_FILE)).map(({ line, number }) => {
    const decoded = decodeInput(line)
    if (!decoded.ok) throw badLine(join(dir, INPUTS_FILE), number, decoded.error)
    return decoded.value
  })
  return {
    description: header.description ?? '',
    options: { ...DEFAULT_CORE_OPTIONS, ...header.options },
    inputs,
    expected: readExpected(dir),
  }
}

/** The reviewed events; none when the file is missing (a fresh recording), never when it is bad. */
const readExpected = (dir: string): ProtocolEvent[] => {
  const path = join(dir, EXPECTED_FILE)
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw new NetmonError('ERR_RECORD_OUT', `cannot read ${path}: check its permissions`, { cause })
  }
  return jsonLines(text).map(({ line, number }) => {
    const event = parseJson(path, number, line)
    if (typeof event !== 'object' || event === null || Array.isArray(event)) throw badLine(path, number, 'not a JSON object')
    return event as ProtocolEvent
  })
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

