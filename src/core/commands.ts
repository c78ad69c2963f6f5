import type { DaemonStatus, ErrorReply, InterfaceReport, Reply } from '../schema/protocol.js'

/** What the command handler may read; it can change nothing (the socket is world-writable). */
export interface CommandContext {
  status(): DaemonStatus
  interfaces(): InterfaceReport[]
}

/** A reply line: never has a `type` field, which is how clients tell replies from events. */
export type CommandReply = Reply

export const INVALID_JSON: ErrorReply = { success: false, error: 'Invalid JSON' }
export const TOO_MANY_CLIENTS: ErrorReply = { success: false, error: 'Too many clients' }
/** Sent before closing a client whose line made the daemon fail (a bug, never expected). */
export const INTERNAL_ERROR: ErrorReply = { success: false, error: 'Internal error: the connection is closed' }
export const lineTooLong = (limit: number): ErrorReply => ({
  success: false,
  error: `Line too long: the limit is ${limit} bytes`,
})

/** The longest command name an error reply quotes; longer ones are cut and marked with `...`. */
export const MAX_QUOTED_COMMAND = 64

/**
 * How an error reply names what the client sent as `command`: a short string as itself, a
 * scalar as its JSON, anything else by its kind. Never walks the client's structure: a
 * value nested thousands deep once crashed the daemon when the reply echoed it whole.
 */
export const quoteCommand = (command: unknown): string => {
  if (typeof command === 'string') {
    return command.length > MAX_QUOTED_COMMAND ? `${command.slice(0, MAX_QUOTED_COMMAND)}...` : command
  }
  if (command === undefined || command === null) return 'null'
  if (Array.isArray(command)) return '(an array)'
  if (typeof command === 'object') return '(an object)'
  // A number or a boolean from JSON.parse: its text is short.
  return String(command)
}

/** Parses one client line and answers it; every line gets exactly one reply. */
export const replyToLine = (line: string, context: CommandContext): CommandReply => {
  let request: unknown
  try {
    request = JSON.parse(line)
  } catch {
    // Not JSON: `request` stays undefined, which the next line answers as invalid.
  }
  if (typeof request !== 'object' || request === null || Array.isArray(request)) return INVALID_JSON
  const command: unknown = (request as Record<string, unknown>).command
  switch (command) {
    case 'get_status':
      return { success: true, status: context.status() }
    case 'get_interfaces':
      return { success: true, interfaces: context.interfaces() }
    default:
      return { success: false, error: `Unknown command: ${quoteCommand(command)}` }
  }
}
