/**
 * netmon's client library: `import { connect, InterfaceCache } from 'netmon'` (or `require`).
 * The protocol types come from src/schema/protocol.ts (TypeBox) as types only: this entry
 * loads neither TypeBox nor Ajv at run time. The TypeBox schemas themselves are
 * `netmon/protocol`; the JSON Schema is `netmon/schema.json`.
 */
export { connect } from './connect.js'
export { DEFAULT_SOCKET_PATH, type ClientEvent, type ConnectOptions, type NetmonClient, type ReplyTo } from './types.js'
export { NetmonClientError, type NetmonClientErrorCode } from './errors.js'
export { InterfaceCache, isLeaving, type InterfaceChange, type InterfaceChangeListener } from './interface-cache.js'
export { parseLine, type ParsedLine } from './parse-line.js'
export type * from '../schema/protocol.js'
