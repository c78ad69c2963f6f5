import type { TSchema } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import {
  ErrorReplySchema,
  InterfacesReplySchema,
  NetworkChangeSchema,
  NetworkDiscoverySchema,
  StatusReplySchema,
  type NetworkChange,
  type NetworkDiscovery,
  type Reply,
} from '../schema/protocol.js'

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

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * Checks `value` against `schema` after dropping fields the schema does not know, so a newer
 * daemon that adds a field still parses; a wrong or missing known field is an error.
 */
const checked = <T>(schema: TSchema, value: unknown): { ok: true; value: T } | { ok: false; error: string } => {
  const cleaned: unknown = Value.Clean(schema, Value.Clone(value))
  if (Value.Check(schema, cleaned)) return { ok: true, value: cleaned as T }
  const first = Value.Errors(schema, cleaned).First()
  return { ok: false, error: first === undefined ? 'does not match the schema' : `${first.path || '/'}: ${first.message}` }
}

const shorten = (line: string): string => (line.length > 200 ? `${line.slice(0, 200)}...` : line)

/** Classifies one line (without its newline) from the daemon's socket. */
export const parseLine = (line: string): ParsedLine => {
  let message: unknown
  try {
    message = JSON.parse(line)
  } catch (error) {
    return { kind: 'malformed', line, reason: `invalid JSON (${error instanceof Error ? error.message : String(error)})` }
  }
  if (!isRecord(message)) return { kind: 'malformed', line, reason: 'not a JSON object' }
  const { type } = message
  if (type === undefined) {
    // Pick the variant first: TypeBox cleans a union only when some variant already matches.
    const schema = message.success === false ? ErrorReplySchema : 'status' in message ? StatusReplySchema : InterfacesReplySchema
    const reply = checked<Reply>(schema, message)
    return reply.ok ? { kind: 'reply', reply: reply.value } : { kind: 'malformed', line, reason: `bad reply: ${reply.error}`, badReply: true }
  }
  if (type === 'network_discovery') {
    const event = checked<NetworkDiscovery>(NetworkDiscoverySchema, message)
    return event.ok ? { kind: 'discovery', event: event.value } : { kind: 'malformed', line, reason: `bad network_discovery: ${event.error}` }
  }
  if (type === 'network_change') {
    const event = checked<NetworkChange>(NetworkChangeSchema, message)
    return event.ok ? { kind: 'change', event: event.value } : { kind: 'malformed', line, reason: `bad network_change: ${event.error}` }
  }
  if (typeof type !== 'string') return { kind: 'malformed', line, reason: `"type" is not a string: ${shorten(JSON.stringify(type))}` }
  return { kind: 'unknown', type, message }
}
