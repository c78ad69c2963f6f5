import type { Input } from './inputs.js'
import { parseSnapshot, type RawSnapshot } from './parse-snapshot.js'
import { fail, ok, unreachable, type Result } from './result.js'

/**
 * One line of a fixture's `inputs.jsonl`: an input as the daemon received it, with
 * snapshots kept raw (as `ip -json` printed them) so replay exercises the parsers too.
 */
export type RecordedInput =
  | { type: 'monitor-line'; at: number; line: string }
  | ({ type: 'snapshot'; at: number } & RawSnapshot)
  | { type: 'resync'; at: number; reason: string }
  /** The daemon's debounce timer fired (late by however long the event loop took). */
  | { type: 'tick'; at: number }

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** Decodes one `inputs.jsonl` line; never throws. */
export const decodeRecordedInput = (line: string): Result<RecordedInput> => {
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch {
    return fail(`not JSON: ${line.slice(0, 80)}`)
  }
  if (!isRecord(value) || typeof value.at !== 'number') return fail(`no numeric "at": ${line.slice(0, 80)}`)
  const { at } = value
  if (value.type === 'monitor-line' && typeof value.line === 'string') return ok({ type: 'monitor-line', at, line: value.line })
  if (value.type === 'tick') return ok({ type: 'tick', at })
  if (value.type === 'resync' && typeof value.reason === 'string') return ok({ type: 'resync', at, reason: value.reason })
  if (value.type === 'snapshot' && Array.isArray(value.wireless)) {
    const wireless = value.wireless.filter((name): name is string => typeof name === 'string')
    return ok({ type: 'snapshot', at, addr: value.addr, route: value.route, wireless })
  }
  return fail(`unknown recorded input: ${line.slice(0, 80)}`)
}

/** Turns a recorded input into the core's input, parsing raw snapshots. */
export const toInput = (recorded: RecordedInput): Result<Input> => {
  switch (recorded.type) {
    case 'monitor-line':
    case 'resync':
    case 'tick':
      return ok(recorded)
    case 'snapshot': {
      const snapshot = parseSnapshot(recorded)
      return snapshot.ok ? ok({ type: 'snapshot', at: recorded.at, snapshot: snapshot.value }) : snapshot
    }
    default:
      return unreachable(recorded)
  }
}
