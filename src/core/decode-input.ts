import type { Input } from './inputs.js'
import { isRecord } from './is-record.js'
import { fail, ok, type Result } from './result.js'

/** Decodes one line of a fixture's `inputs.jsonl` (an input as JSON); never throws. */
export const decodeInput = (line: string): Result<Input> => {
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
  if (value.type === 'snapshot-failed' && typeof value.error === 'string') return ok({ type: 'snapshot-failed', at, error: value.error })
  if (value.type === 'snapshot' && Array.isArray(value.wireless)) {
    const wireless = value.wireless.filter((name): name is string => typeof name === 'string')
    return ok({ type: 'snapshot', at, addr: value.addr, route: value.route, wireless })
  }
  return fail(`unknown input: ${line.slice(0, 80)}`)
}
