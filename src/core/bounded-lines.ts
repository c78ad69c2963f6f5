/** Splits a byte stream into lines, one at a time, refusing a line longer than a bound. */
export interface BoundedLines {
  push(chunk: Buffer): void
  /**
   * The byte length of the next complete line (newline excluded); 'too-long' when the next
   * line passes the bound, complete or not; undefined while it is incomplete.
   */
  peek(): number | 'too-long' | undefined
  /** Removes the line `peek` measured and returns it, decoded and trimmed. */
  take(): string
  /** Bytes waiting for a newline or for `take`. */
  pendingBytes(): number
}

const NEWLINE = 10

/**
 * The socket clients' framing. A pull API rather than a stream (split2's `maxLength`): the
 * command budget must be able to stop between two lines of one chunk and read no further,
 * which a transform's internal buffering would defeat. Cost per line: one `indexOf` and one
 * `subarray`; the unfinished tail is copied once per chunk, never the whole chunk kept.
 */
export const createBoundedLines = (maxLineBytes: number): BoundedLines => {
  let pending: Buffer = Buffer.alloc(0)
  let newline = -1
  return {
    push(chunk) {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk])
      newline = pending.indexOf(NEWLINE)
    },
    peek() {
      if (newline < 0) {
        if (pending.length > maxLineBytes) return 'too-long'
        // Keep only the tail, not the whole chunk it was cut from.
        if (pending.byteOffset !== 0 || pending.length !== pending.buffer.byteLength) pending = Buffer.from(pending)
        return undefined
      }
      return newline > maxLineBytes ? 'too-long' : newline
    },
    take() {
      const line = pending.subarray(0, newline).toString('utf8').trim()
      pending = pending.subarray(newline + 1)
      newline = pending.indexOf(NEWLINE)
      return line
    },
    pendingBytes: () => pending.length,
  }
}
