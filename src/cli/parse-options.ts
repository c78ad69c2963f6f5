import { InvalidArgumentError } from 'commander'
import { resolve } from 'node:path'
import { checkSocketPath } from '../adapters/socket-path.js'
import { isLogLevel, type LogLevel } from '../adapters/logger.js'
import { checkIgnoreGlob } from '../core/ignore.js'

/** Commander argument parsers: each names the bad value and what it expects. */

/** Digits only (around spaces), and small enough to be exact; else undefined. */
const wholeNumber = (value: string): number | undefined => {
  const number = Number(value)
  return /^\d+$/.test(value.trim()) && Number.isSafeInteger(number) ? number : undefined
}

export const parseMs = (value: string): number => {
  const ms = wholeNumber(value)
  if (ms === undefined) throw new InvalidArgumentError(`expected whole milliseconds (e.g. 3000), got ${JSON.stringify(value)}`)
  return ms
}

export const parsePositiveInt = (value: string): number => {
  const count = wholeNumber(value)
  if (count === undefined || count < 1) throw new InvalidArgumentError(`expected a whole number of at least 1, got ${JSON.stringify(value)}`)
  return count
}

export const parseMode = (value: string): number => {
  if (!/^0?[0-7]{3}$/.test(value)) throw new InvalidArgumentError(`expected an octal file mode like 0666, got ${JSON.stringify(value)}`)
  return Number.parseInt(value, 8)
}

/** Comma-separated interface globs; a glob netmon cannot match as written is refused. */
export const parseGlobs = (value: string, previous: string[] = []): string[] => {
  const globs = value
    .split(',')
    .map((glob) => glob.trim())
    .filter((glob) => glob !== '')
  for (const glob of globs) {
    const checked = checkIgnoreGlob(glob)
    if (!checked.ok) throw new InvalidArgumentError(checked.error)
  }
  return [...previous, ...globs]
}

export const parseLogLevel = (value: string): LogLevel => {
  if (!isLogLevel(value)) throw new InvalidArgumentError(`expected debug, info, warn or error, got ${JSON.stringify(value)}`)
  return value
}

/**
 * A `--socket` value is always a filesystem path: a relative one is made absolute (so that
 * `--socket 47123` is never taken for a TCP port), and one the kernel would truncate is
 * refused before anything is created.
 */
export const parseSocketPath = (value: string, cwd: string = process.cwd()): string => {
  const checked = checkSocketPath(value === '' || value.includes('\0') ? value : resolve(cwd, value))
  if (!checked.ok) throw new InvalidArgumentError(checked.error)
  return checked.value
}
