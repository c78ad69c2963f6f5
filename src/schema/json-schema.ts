import { PROTOCOL_DEFS } from './protocol.js'

/** Where the published schema says it lives (its `$id`). */
export const SCHEMA_ID = 'urn:netmon:protocol'

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

/** A TypeBox schema as plain JSON: drops TypeBox's symbol keys. */
const plain = (schema: unknown): Json => JSON.parse(JSON.stringify(schema)) as Json

/**
 * Replaces every subtree equal to a named definition (other than `self`) by a `$ref` to it,
 * so the published file names InterfaceReport once instead of repeating it.
 */
const withRefs = (node: Json, byText: ReadonlyMap<string, string>, self: string): Json => {
  if (node === null || typeof node !== 'object') return node
  const name = byText.get(JSON.stringify(node))
  if (name !== undefined && name !== self) return { $ref: `#/$defs/${name}` }
  if (Array.isArray(node)) return node.map((item) => withRefs(item, byText, self))
  return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, withRefs(value, byText, self)]))
}

/** The draft 2020-12 JSON Schema of the protocol; its root accepts any line the daemon sends. */
export const protocolJsonSchema = (): Json => {
  const defs = Object.entries(PROTOCOL_DEFS).map(([name, schema]) => [name, plain(schema)] as const)
  const byText = new Map(defs.map(([name, schema]) => [JSON.stringify(schema), name]))
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: SCHEMA_ID,
    title: 'netmon protocol',
    description:
      'JSON lines over the netmon Unix socket. The root validates any line the daemon sends: an event ' +
      '(has `type`) or the reply to a command (has `success`, never `type`). Client lines are $defs/Command. ' +
      'Generated from src/schema/protocol.ts by `npm run schema`: do not edit by hand.',
    anyOf: [{ $ref: '#/$defs/ProtocolEvent' }, { $ref: '#/$defs/Reply' }],
    $defs: Object.fromEntries(defs.map(([name, schema]) => [name, withRefs(schema, byText, name)])),
  }
}

/** The file's exact text: two-space JSON and a final newline. */
export const protocolJsonSchemaText = (): string => `${JSON.stringify(protocolJsonSchema(), null, 2)}\n`
