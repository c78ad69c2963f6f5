import { StringDecoder } from 'node:string_decoder'

/** Splits socket chunks into lines; keeps the unfinished tail until the next chunk. */
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
