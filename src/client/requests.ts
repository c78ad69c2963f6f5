import type { Reply } from '../schema/protocol.js'
import type { NetmonClientError } from './errors.js'

/** A request from `request()` until its reply, its timeout or the end of its connection. */
export interface Pending {
  /** The command as one JSON line, newline included. */
  line: string
  resolve(reply: Reply): void
  reject(error: NetmonClientError): void
  timer: NodeJS.Timeout
  /** Timed out after it was sent: its late reply is swallowed so the next ones still match. */
  abandoned: boolean
}

/**
 * Settles the oldest request of `inFlight` (replies come in command order) with `reply`, or
 * with an error reply naming `reason` when the reply was malformed (undefined). False when
 * no request was waiting.
 */
export const answerOldest = (inFlight: Pending[], reply: Reply | undefined, reason: string): boolean => {
  const pending = inFlight.shift()
  if (pending === undefined) return false
  clearTimeout(pending.timer)
  if (pending.abandoned) return true
  pending.resolve(reply ?? { success: false, error: `malformed reply: ${reason}` })
  return true
}

/** Empties `pendings`, rejecting each request still waiting with a fresh `error()`. */
export const rejectAll = (pendings: Pending[], error: () => NetmonClientError): void => {
  for (const pending of pendings.splice(0)) {
    clearTimeout(pending.timer)
    if (!pending.abandoned) pending.reject(error())
  }
}
