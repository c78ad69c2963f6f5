/**
 * Splits a byte stream into lines, one at a time, bounding the length of a line. A line is
 * the bytes before a newline (`\n`), decoded as UTF-8 and otherwise as sent: who reads it
 * decides what white space means.
 */
export interface BoundedLines {
  push(chunk: Uint8Array): void
  /**
   * The byte length of the next complete line (newline excluded); 'too-long' when the next
   * line passes the bound, complete or not; undefined while it is incomplete.
   */
  peek(): number | 'too-long' | undefined
  /** Removes the line `peek` measured and returns it. */
  take(): string
  /**
   * Drops the line `peek` called 'too-long', up to and with its newline, even one that has not
   * arrived yet: bytes are discarded until it does, so the line costs no memory.
   */
  skip(): void
  /** What arrived after the last newline ('' while skipping): a line cut off by the end. */
  rest(): string
  /** Bytes kept, waiting for a newline or for `take`. */
  pendingBytes(): number
}

const NEWLINE = 0x0a
const EMPTY = new Uint8Array(0)
// ignoreBOM keeps a leading U+FEFF in the line, as sent, instead of eating it.
const decoder = new TextDecoder('utf-8', { ignoreBOM: true })

/**
 * Every reader in netmon frames lines with this: the socket clients, the client library,
 * the `ip monitor` child and the health probe. Not split2, though the readers once used it:
 * its `maxLength` counts UTF-16 units, not bytes; past it, it drops the line silently or
 * destroys the stream; it emits an unfinished tail as a line; and as a stream it cannot stop
 * between two lines of one chunk, as the socket's command budget must.
 *
 * Bytes, not text, are kept, so a character cut between chunks decodes whole. Costs are
 * linear: each byte is searched for a newline once, the first chunk of a line is kept
 * without a copy, a line that spans chunks is gathered in storage that doubles, and the tail
 * left after the last newline is copied once into storage of its own, so neither a large
 * chunk nor large storage is held for a few bytes. Storage stays within twice the pending
 * bytes, which a reader that drains after each chunk keeps within the bound plus a chunk.
 */
export const createBoundedLines = (maxLineBytes: number): BoundedLines => {
  /** `bytes[start, end)` are pending. */
  let bytes: Uint8Array = EMPTY
  /** `bytes` is the caller's chunk: never written to, and copied before it is kept. */
  // Stryker disable next-line BooleanLiteral: equivalent; the empty array holds nothing to copy or keep
  let borrowed = false
  let start = 0
  let end = 0
  /** How many pending bytes are known to hold no newline. */
  let scanned = 0
  /** The length of the next line once its newline is found; -1 before. */
  let lineLength = -1
  let skipping = false

  /** Moves the pending bytes into storage of our own with room for `room` more. */
  const own = (room: number): void => {
    const kept = end - start
    // Stryker disable next-line ConditionalExpression: equivalent in output; an exact copy is what lets go of large storage
    const next = new Uint8Array(room === 0 ? kept : 2 * (kept + room))
    next.set(bytes.subarray(start, end))
    bytes = next
    borrowed = false
    start = 0
    end = kept
  }

  /** Forgets the line whose length is known, and its newline. */
  const drop = (): void => {
    start += lineLength + 1
    scanned = 0
    lineLength = -1
  }

  return {
    push(chunk) {
      let data = chunk
      if (skipping) {
        const found = data.indexOf(NEWLINE)
        if (found < 0) return
        skipping = false
        data = data.subarray(found + 1)
      }
      // Stryker disable next-line ConditionalExpression,BlockStatement: equivalent in output; keeps the chunk instead of copying it
      if (start === end) {
        bytes = data
        borrowed = true
        start = 0
        end = data.length
        return
      }
      // Stryker disable next-line EqualityOperator: equivalent in output; only copies once more
      if (borrowed || end + data.length > bytes.length) own(data.length)
      bytes.set(data, end)
      end += data.length
    },
    peek() {
      // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent in output; searching again finds the same newline
      if (lineLength < 0) {
        const found = bytes.subarray(start + scanned, end).indexOf(NEWLINE)
        if (found < 0) {
          scanned = end - start
          if (scanned > maxLineBytes) return 'too-long'
          // Keep only the tail, not the chunk or the storage it sits in.
          // Stryker disable next-line ConditionalExpression: equivalent in output; a copy lets go of the storage of lines taken
          if (start > 0 || borrowed) own(0)
          return undefined
        }
        lineLength = scanned + found
      }
      return lineLength > maxLineBytes ? 'too-long' : lineLength
    },
    take() {
      if (lineLength < 0) throw new Error('take without a line: call peek first')
      const line = decoder.decode(bytes.subarray(start, start + lineLength))
      drop()
      return line
    },
    skip() {
      // Stryker disable next-line EqualityOperator: equivalent; a line over the bound is never empty
      if (lineLength >= 0) return drop()
      start = end
      scanned = 0
      skipping = true
    },
    rest() {
      const pending = bytes.subarray(start, end)
      return decoder.decode(pending.subarray(pending.lastIndexOf(NEWLINE) + 1))
    },
    pendingBytes: () => end - start,
  }
}
