import { StringDecoder } from 'node:string_decoder'

/**
 * Splits socket chunks into lines; keeps the unfinished tail until the next chunk.
 *
 * Why the client does not use split2, as the daemon's readers do: measured with
 * `npm run bench -- --only import-cost` style runs (41 fresh processes, median), split2
 * adds ~0.7 MB and ~3 ms CPU to importing the client, taking it from +4.3 MB to +5.0 MB over
 * a bare node, past the 5 MB goal of issue 13. And split2 could not keep this contract:
 * its `maxLength` counts UTF-16 units (the client's limit is in bytes, `pendingBytes`), and
 * on end it emits the unfinished tail as a line, where the client must report it as
 * "connection closed mid-line" (`rest`).
 */
export interface LineSplitter {
  /** The complete lines in `chunk` (newlines removed, blank lines dropped). */
  push(chunk: Buffer): string[]
  /** What arrived after the last newline (non-empty when the peer closed mid-line). */
  rest(): string
  /** Bytes waiting for a newline. */
  pendingBytes(): number
}

export const createLineSplitter = (): LineSplitter => {
  const decoder = new StringDecoder('utf8')
  let tail = ''
  return {
    push(chunk) {
      const parts = (tail + decoder.write(chunk)).split('\n')
      tail = parts.pop() ?? ''
      return parts.map((line) => line.trim()).filter((line) => line !== '')
    },
    rest: () => (tail + decoder.end()).trim(),
    pendingBytes: () => Buffer.byteLength(tail),
  }
}
