import { fstatSync } from 'node:fs'

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

export type LogFields = Record<string, string | number | boolean | null | undefined>

/**
 * How a line is framed: `json` is the bare JSON object (docker logs, a terminal);
 * `journal` prefixes it with its syslog priority, which journald reads and strips.
 */
export type LogFormat = 'json' | 'journal'

/** One structured JSON line per message on stderr; stdout is reserved for events. */
export interface Logger {
  debug(msg: string, fields?: LogFields): void
  info(msg: string, fields?: LogFields): void
  warn(msg: string, fields?: LogFields): void
  error(msg: string, fields?: LogFields): void
}

export const isLogLevel = (value: string): value is LogLevel => (LOG_LEVELS as readonly string[]).includes(value)

/** sd-daemon(3)'s prefixes: SD_ERR, SD_WARNING, SD_INFO, SD_DEBUG. */
const SYSLOG_PRIORITY = { error: '<3>', warn: '<4>', info: '<6>', debug: '<7>' } as const satisfies Record<LogLevel, string>

export const createLogger = (
  level: LogLevel,
  write: (line: string) => void,
  now: () => Date = () => new Date(),
  format: LogFormat = 'json',
): Logger => {
  const threshold = LOG_LEVELS.indexOf(level)
  const log =
    (at: LogLevel) =>
    (msg: string, fields: LogFields = {}): void => {
      if (LOG_LEVELS.indexOf(at) < threshold) return
      const prefix = format === 'journal' ? SYSLOG_PRIORITY[at] : ''
      write(`${prefix}${JSON.stringify({ time: now().toISOString(), level: at, msg, ...fields })}\n`)
    }
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') }
}

/** The device and inode of a file descriptor, as fstat gives them. */
export type FdIdentity = (fd: number) => { dev: bigint; ino: bigint } | undefined

const fstatIdentity: FdIdentity = (fd) => {
  try {
    const stat = fstatSync(fd, { bigint: true })
    return { dev: stat.dev, ino: stat.ino }
    /* c8 ignore next 3 -- node opens /dev/null on any of fds 0-2 it starts without, so fd 2 is always open */
  } catch {
    return undefined
  }
}

/**
 * `journal` when stderr is connected to the journal, else `json`. systemd sets
 * JOURNAL_STREAM=<device>:<inode> for a service whose stdout or stderr is the journal;
 * the documented check (systemd.exec(5)) is that it names the very file descriptor, so a
 * child that inherited the variable but writes elsewhere (a pipe, docker logs) stays JSON.
 */
export const stderrLogFormat = (env: NodeJS.ProcessEnv = process.env, identify: FdIdentity = fstatIdentity): LogFormat => {
  const match = /^(\d+):(\d+)$/.exec(env.JOURNAL_STREAM ?? '')
  if (match === null) return 'json'
  const [, dev = '', ino = ''] = match
  const stderr = identify(2)
  return stderr !== undefined && stderr.dev === BigInt(dev) && stderr.ino === BigInt(ino) ? 'journal' : 'json'
}

/** A logger that drops everything, for tests that do not look at logs. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} }
