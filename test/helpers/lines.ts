import type { Readable } from 'node:stream'
import { readLines } from '../../src/adapters/read-lines.js'

/** Collects the lines of a stream and lets a test wait for the ones it expects. */
export interface LineCollector {
  readonly lines: string[]
  /** performance.now() when each line arrived: `arrivals[i]` belongs to `lines[i]`. */
  readonly arrivals: number[]
  /** Resolves with the first line at or after `from` that matches, or rejects after `timeoutMs`. */
  waitFor(match: (line: string) => boolean, timeoutMs?: number, from?: number): Promise<string>
  /** Resolves with the `count`-th line (1-based), or rejects after `timeoutMs`. */
  waitForCount(count: number, timeoutMs?: number): Promise<string[]>
}

export const collectLines = (stream: Readable): LineCollector => {
  const lines: string[] = []
  const arrivals: number[] = []
  const waiters = new Set<() => void>()
  const onLine = (line: string): void => {
    arrivals.push(performance.now())
    lines.push(line)
    for (const wake of [...waiters]) wake()
  }
  // Unbounded: what a test reads is the daemon's own output, and a test wants all of it.
  readLines(stream, Number.POSITIVE_INFINITY, { onLine, onOverlong: () => {} })
  const waitUntil = <T>(check: () => T | undefined, timeoutMs: number, what: () => string): Promise<T> =>
    new Promise((resolve, reject) => {
      const found = check()
      if (found !== undefined) return resolve(found)
      const timer = setTimeout(() => {
        waiters.delete(wake)
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what()}; lines so far:\n${lines.join('\n')}`))
      }, timeoutMs)
      const wake = (): void => {
        const value = check()
        if (value === undefined) return
        clearTimeout(timer)
        waiters.delete(wake)
        resolve(value)
      }
      waiters.add(wake)
    })
  return {
    lines,
    arrivals,
    waitFor: (match, timeoutMs = 10_000, from = 0) =>
      waitUntil(() => lines.slice(from).find(match), timeoutMs, () => 'a matching line'),
    waitForCount: (count, timeoutMs = 10_000) =>
      waitUntil(() => (lines.length >= count ? lines.slice(0, count) : undefined), timeoutMs, () => `${count} lines`),
  }
}
