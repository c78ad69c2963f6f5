/**
 * netmon's client library: `import { connect, InterfaceCache } from 'netmon'`.
 * The protocol types and their JSON Schema come from src/schema/protocol.ts.
 */
export { connect, DEFAULT_SOCKET_PATH, type ClientEvent, type ConnectOptions, type NetmonClient, type ReplyTo } from './connect.js'
export { NetmonClientError, type NetmonClientErrorCode } from './errors.js'
export { InterfaceCache, isLeaving, type InterfaceChange, type InterfaceChangeListener } from './interface-cache.js'
export { parseLine, type ParsedLine } from './parse-line.js'
export * from '../schema/protocol.js'
