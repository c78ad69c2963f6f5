import { readFileSync } from 'node:fs'
import { Ajv2020 } from 'ajv/dist/2020.js'
import type { ErrorObject } from 'ajv'
import type { Test } from 'tap'

/** The published file (not the TypeBox source), so what ships is what the tests check. */
export const SCHEMA_PATH = new URL('../../schema/netmon-protocol.schema.json', import.meta.url)

const schema: unknown = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8'))
const ajv = new Ajv2020({ strict: true, allErrors: true })
ajv.addSchema(schema as object, 'netmon')

const validatorOf = (definition: string | undefined) => {
  const ref = definition === undefined ? 'netmon' : `netmon#/$defs/${definition}`
  const validate = ajv.getSchema(ref)
  if (validate === undefined) throw new Error(`no schema ${ref} in ${SCHEMA_PATH.pathname}`)
  return validate
}

const describeErrors = (errors: ErrorObject[] | null | undefined): string =>
  (errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''} ${JSON.stringify(error.params)}`).join('; ')

/**
 * Errors of `message` against the protocol schema (the root: any line the daemon sends, or
 * one of its $defs such as 'Command' or 'NetworkChange'); undefined when it is valid.
 */
export const protocolErrors = (message: unknown, definition?: string): string | undefined => {
  const validate = validatorOf(definition)
  return validate(message) ? undefined : describeErrors(validate.errors)
}

/**
 * Asserts that one line the daemon sent (an event or a reply; newline optional) is JSON and
 * valid against schema/netmon-protocol.schema.json. Returns the parsed message.
 */
export const assertProtocolMessage = (t: Test, line: string, definition?: string): unknown => {
  let message: unknown
  try {
    message = JSON.parse(line)
  } catch (error) {
    t.fail(`not JSON: ${line.slice(0, 200)} (${error instanceof Error ? error.message : String(error)})`)
    return undefined
  }
  const errors = protocolErrors(message, definition)
  t.ok(errors === undefined, `valid ${definition ?? 'protocol message'}`, errors === undefined ? {} : { errors, line })
  return message
}

/** Validates every line a client or `--stdout` received, in one assertion per line. */
export const assertProtocolLines = (t: Test, lines: readonly string[]): void => {
  for (const line of lines) assertProtocolMessage(t, line)
}
