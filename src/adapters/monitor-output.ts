import { classifyMonitorStderr, stderrKind } from '../core/monitor-stderr.js'
import { unreachable } from '../core/result.js'
import type { Clock } from './clock.js'
import type { Logger } from './logger.js'
import { createRepeatLimiter } from './repeat-limiter.js'

export interface MonitorOutputOptions {
  clock: Clock
  logger: Logger
  maxLineBytes: number
  /** Repeats of one kind of message are summarised once per this interval. */
  summaryMs: number
  /** Counts a kernel overrun; returns the count so far. */
  onOverrun(): number
  /** Records were lost while the child kept running: read the state again. */
  onLost(reason: 'overrun' | 'overlong line'): void
}

export interface MonitorOutput {
  stderrLine(line: string): void
  overlong(stream: 'stdout' | 'stderr'): void
  /** Logs the repeats still held back (at stop). */
  flush(): void
}

/**
 * What `ip monitor` says besides its records, turned into log lines and resyncs. Every log
 * line goes through one repeat limit: a flood of stderr (20k lines once made 2.4 MB of log)
 * is one line per kind, then one "N more like this" per interval while it goes on.
 */
export const createMonitorOutput = ({ clock, logger, maxLineBytes, summaryMs, onOverrun, onLost }: MonitorOutputOptions): MonitorOutput => {
  const repeats = createRepeatLimiter({
    clock,
    intervalMs: summaryMs,
    onSummary: (_key, count, sample, periodMs) => logger.warn(`ip monitor: ${count} more like this in the last ${periodMs / 1000} s`, { like: sample }),
  })

  const stderrLine = (line: string): void => {
    const meaning = classifyMonitorStderr(line)
    switch (meaning.kind) {
      case 'blank':
        return
      case 'overrun': {
        const overruns = onOverrun()
        if (repeats.allow(stderrKind(meaning, line), line)) {
          logger.warn('ip monitor lost records (netlink overrun); resyncing', { stderr: line, overruns })
        }
        onLost('overrun')
        return
      }
      case 'namespace-race':
        if (repeats.allow(stderrKind(meaning, line), line)) {
          logger.debug('ip monitor could not name a network namespace being created or removed; harmless', { stderr: line })
        }
        return
      case 'other':
        if (repeats.allow(stderrKind(meaning, line), line)) logger.warn('ip monitor wrote to stderr', { stderr: line })
        return
      /* c8 ignore next 2 -- the union is exhausted above; the compiler checks it */
      default:
        return unreachable(meaning)
    }
  }

  return {
    stderrLine,
    overlong(stream) {
      if (stream === 'stderr') {
        stderrLine(`(a line of more than ${maxLineBytes} bytes, dropped)`)
        return
      }
      const what = `ip monitor printed a line of more than ${maxLineBytes} bytes; dropped it up to its newline; resyncing`
      if (repeats.allow('overlong stdout line', what)) logger.warn(what)
      onLost('overlong line')
    },
    flush: () => repeats.flush(),
  }
}
