import type { Readable } from 'node:stream'
import split2 from 'split2'

export interface LineReaderCallbacks {
  onLine(line: string): void
  /**
   * A line grew past the bound before its newline: split2 drops it up to that newline, so a
   * record was lost. Called once per such line.
   */
  onOverlong(): void
}

const NEWLINE = 0x0a

/**
 * Reads `source` line by line with split2, bounded by its `maxLength`: past `maxLineBytes`
 * without a newline, split2 (with `skipOverflow`) stops buffering and discards input up to
 * the next newline. Memory stays near `maxLineBytes` plus one chunk and the cost is linear
 * in the input (unbounded, split2 re-scans the growing tail on every chunk: 30 MB without a
 * newline cost 12.8 s of CPU and 336 MB of RSS).
 *
 * split2 drops silently, so the bytes since the last newline are counted here too, from the
 * same chunks, and `onOverlong` reports the loss. split2 measures characters and this
 * counts bytes, so a line of multi-byte text near the bound may be reported although split2
 * kept it: a needless resync, never a silent loss.
 */
export const readLines = (source: Readable, maxLineBytes: number, callbacks: LineReaderCallbacks): void => {
  let sinceNewline = 0
  let reported = false
  source.on('data', (chunk: Buffer | string) => {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
    const newline = bytes.lastIndexOf(NEWLINE)
    if (newline === -1) {
      sinceNewline += bytes.length
    } else {
      sinceNewline = bytes.length - newline - 1
      reported = false
    }
    if (sinceNewline > maxLineBytes && !reported) {
      reported = true
      callbacks.onOverlong()
    }
  })
  // `skipOverflow` is documented by split2 but missing from @types/split2.
  const options: split2.Options & { skipOverflow: boolean } = { maxLength: maxLineBytes, skipOverflow: true }
  source.pipe(split2(options)).on('data', callbacks.onLine)
}
