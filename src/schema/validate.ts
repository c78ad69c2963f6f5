import { fail, ok, type Result } from '../core/result.js'
import type { ErrorReply, InterfacesReply, NetworkChange, NetworkDiscovery, StatusReply } from './protocol.js'
import * as generated from './validators.generated.js'
import type { GeneratedValidator, SchemaError } from './validators.generated.js'

/**
 * Checks for the lines the client reads, compiled at build time from the published JSON
 * Schema (scripts/generate-validators.js): no TypeBox or Ajv at run time. Each check drops,
 * in place, the fields the schema does not know (a newer daemon may add some), then
 * validates; the error names the first problem in TypeBox's words (`/data/index: Expected
 * integer`), as the client reported it when it validated with TypeBox's `Value`.
 */
export type Check<T> = (value: unknown) => Result<T>


/** A JSON Pointer token, as TypeBox and Ajv escape it. */
const pointerToken = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1')

const literal = (value: unknown): string => (typeof value === 'string' ? `'${value}'` : String(value))

/** TypeBox's message for the error (see its DefaultErrorFunction), with TypeBox's path. */
export const describeSchemaError = (error: SchemaError): string => {
  const parent = error.parentSchema
  const path = error.instancePath
  const at = (message: string, where = path): string => `${where || '/'}: ${message}`
  // TypeBox checks a literal by value alone: a wrong type is "Expected 'x'" too.
  if ('const' in parent) return at(`Expected ${literal(parent.const)}`)
  const limit = String(error.params.limit)
  const numeric = parent.type === 'integer' ? 'integer' : 'number'
  switch (error.keyword) {
    case 'required':
      return at('Expected required property', `${path}/${pointerToken(String(error.params.missingProperty))}`)
    case 'type':
      return at(`Expected ${String(error.params.type)}`)
    case 'anyOf':
      return at('Expected union value')
    case 'minimum':
      return at(`Expected ${numeric} to be greater or equal to ${limit}`)
    case 'maximum':
      return at(`Expected ${numeric} to be less or equal to ${limit}`)
    case 'minLength':
      return at(`Expected string length greater or equal to ${limit}`)
    case 'pattern':
      return at(`Expected string to match '${String(error.params.pattern)}'`)
    /* c8 ignore next 2 -- the protocol schema uses no other keyword; a new one still gets a clear message */
    default:
      return at(`fails "${error.keyword}" ${JSON.stringify(error.params)}`)
  }
}

/**
 * With `allErrors` off a validator stops at its first failure; the last error it reports is
 * that failure (for a union, the `anyOf` error follows those of its branches), which is
 * where TypeBox's first error points too.
 */
const checkWith =
  <T>(validate: GeneratedValidator): Check<T> =>
  (value) => {
    if (validate(value)) return ok(value as T)
    const error = validate.errors?.at(-1)
    /* c8 ignore next -- a failing validator always reports its error */
    return fail(error === undefined ? 'does not match the schema' : describeSchemaError(error))
  }

export const checkNetworkDiscovery: Check<NetworkDiscovery> = checkWith(generated.validateNetworkDiscovery)
export const checkNetworkChange: Check<NetworkChange> = checkWith(generated.validateNetworkChange)
export const checkStatusReply: Check<StatusReply> = checkWith(generated.validateStatusReply)
export const checkInterfacesReply: Check<InterfacesReply> = checkWith(generated.validateInterfacesReply)
export const checkErrorReply: Check<ErrorReply> = checkWith(generated.validateErrorReply)
