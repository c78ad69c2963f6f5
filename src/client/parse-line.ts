import { isRecord } from '../core/is-record.js'
import { messageOf, type Result } from '../core/result.js'
import type { NetworkChange, NetworkDiscovery, Reply } from '../schema/protocol.js'
import { checkErrorReply, checkInterfacesReply, checkNetworkChange, checkNetworkDiscovery, checkStatusReply } from '../schema/validate.js'

/** What one line from the daemon is. Never throws: bad lines come back as `malformed`. */
export type ParsedLine =
  | { kind: 'discovery'; event: NetworkDiscovery }
  | { kind: 'change'; event: NetworkChange }
  /** Valid JSON with a `type` this client does not know (a newer daemon): passed through. */
  | { kind: 'unknown'; type: string; message: Record<string, unknown> }
  /** A line without `type`: the answer to the oldest command still waiting. */
  | { kind: 'reply'; reply: Reply }
  /** `badReply`: an object without `type` that breaks the reply schema (it still answers a request). */
  | { kind: 'malformed'; line: string; reason: string; badReply?: boolean }

const shorten = (line: string): string => (line.length > 200 ? `${line.slice(0, 200)}...` : line)

/** Classifies one line (without its newline) from the daemon's socket. */
export const parseLine = (line: string): ParsedLine => {
  let message: unknown
  try {
    message = JSON.parse(line)
  } catch (error) {
    return { kind: 'malformed', line, reason: `invalid JSON (${messageOf(error)})` }
  }
  if (!isRecord(message)) return { kind: 'malformed', line, reason: 'not a JSON object' }
  const { type } = message
  if (type === undefined) {
    // Pick the variant first: dropping unknown fields is only sound against one known shape.
    const check = message.success === false ? checkErrorReply : 'status' in message ? checkStatusReply : checkInterfacesReply
    const reply: Result<Reply> = check(message)
    return reply.ok ? { kind: 'reply', reply: reply.value } : { kind: 'malformed', line, reason: `bad reply: ${reply.error}`, badReply: true }
  }
  if (type === 'network_discovery') {
    const event = checkNetworkDiscovery(message)
    return event.ok ? { kind: 'discovery', event: event.value } : { kind: 'malformed', line, reason: `bad network_discovery: ${event.error}` }
  }
  if (type === 'network_change') {
    const event = checkNetworkChange(message)
    return event.ok ? { kind: 'change', event: event.value } : { kind: 'malformed', line, reason: `bad network_change: ${event.error}` }
  }
  if (typeof type !== 'string') return { kind: 'malformed', line, reason: `"type" is not a string: ${shorten(JSON.stringify(type))}` }
  return { kind: 'unknown', type, message }
}
