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
export const lineTooLong = (limit: number): ErrorReply => ({
  success: false,
  error: `Line too long: the limit is ${limit} bytes`,
})

/** Parses one client line and answers it; every line gets exactly one reply. */
export const replyToLine = (line: string, context: CommandContext): CommandReply => {
  let request: unknown
  try {
    request = JSON.parse(line)
  } catch {
    return INVALID_JSON
  }
  if (typeof request !== 'object' || request === null || Array.isArray(request)) return INVALID_JSON
  const command: unknown = (request as Record<string, unknown>).command
  switch (command) {
    case 'get_status':
      return { success: true, status: context.status() }
    case 'get_interfaces':
      return { success: true, interfaces: context.interfaces() }
    default:
      return { success: false, error: `Unknown command: ${typeof command === 'string' ? command : JSON.stringify(command ?? null)}` }
  }
}
