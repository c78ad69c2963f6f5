import { INTERNAL_ERROR, replyToLine, TOO_MANY_CLIENTS, lineTooLong } from '../core/commands.js'
import { encodeLine } from '../core/protocol.js'
import type { CoreOptions } from '../core/state.js'
import type { ErrorReply } from '../schema/protocol.js'
import { checkIp } from '../adapters/ip-command.js'
import { createLogger, type Logger, type LogLevel } from '../adapters/logger.js'
import { listenSocket, type SocketServer } from '../adapters/socket-server.js'
import { DEFAULT_DAEMON_TIMEOUTS, realDaemonDeps, startDaemon, type DaemonListener } from '../daemon.js'
import type { CliIo } from './io.js'
import { VERSION } from './version.js'

export const DEFAULT_SOCKET = '/var/orchestrator/netmon.sock'
export const MAX_LINE_BYTES = 64 * 1024
export const MAX_BACKLOG_BYTES = 1024 * 1024

/** The daemon's command-line options, as commander hands them over. */
export interface ServeOptions {
  /** `false` with --no-socket. */
  socket: string | false
  socketMode: number
  stdout: boolean
  debounce: number
  maxWait: number
  ignore: string[]
  acceptUnknownOperstate: boolean
  ip: string
  logLevel: LogLevel
  maxClients: number
  snapshotTimeout: number
}

export const coreOptionsOf = (options: ServeOptions): CoreOptions => ({
  debounceMs: options.debounce,
  maxWaitMs: options.maxWait,
  ignore: options.ignore,
  acceptUnknownOperstate: options.acceptUnknownOperstate,
})

const NOT_STARTED: ErrorReply = { success: false, error: 'Not started yet' }

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error))

const openSocket = (options: ServeOptions & { socket: string }, logger: Logger, hooks: Pick<Parameters<typeof listenSocket>[1], 'discoveryLine' | 'replyLine'>): Promise<SocketServer> =>
  listenSocket(
    {
      path: options.socket,
      mode: options.socketMode,
      maxClients: options.maxClients,
      maxLineBytes: MAX_LINE_BYTES,
      maxBacklogBytes: MAX_BACKLOG_BYTES,
      logger,
    },
    {
      ...hooks,
      tooManyClientsLine: encodeLine(TOO_MANY_CLIENTS),
      lineTooLongLine: encodeLine(lineTooLong(MAX_LINE_BYTES)),
      internalErrorLine: encodeLine(INTERNAL_ERROR),
    },
  )

/**
 * Runs the daemon until SIGTERM/SIGINT or until `until` resolves: checks `ip`, binds the
 * socket (refusing to steal a live one), starts the core and serves its events. Resolves
 * with the exit code.
 */
export const serve = async (
  options: ServeOptions,
  io: CliIo,
  extra: DaemonListener = {},
  until: Promise<void> = new Promise(() => {}),
): Promise<number> => {
  const logger = createLogger(options.logLevel, io.writeErr)
  try {
    await checkIp(options.ip)
  } catch (error) {
    logger.error(describe(error))
    return 1
  }

  let server: SocketServer | undefined
  const daemonOptions = {
    ...DEFAULT_DAEMON_TIMEOUTS,
    core: coreOptionsOf(options),
    ipPath: options.ip,
    snapshotTimeoutMs: options.snapshotTimeout,
  }
  let daemon: ReturnType<typeof startDaemon> | undefined
  if (options.socket !== false) {
    try {
      server = await openSocket({ ...options, socket: options.socket }, logger, {
        discoveryLine: () => (daemon?.isReady() === true ? daemon.discoveryLine() : undefined),
        // Commands are read only after a client's discovery, so the daemon exists by then.
        replyLine: (line) => {
          const running = daemon
          if (running === undefined) return encodeLine(NOT_STARTED)
          return encodeLine(
            replyToLine(line, {
              status: () => ({ ...running.status(), clients_connected: server?.clientCount() ?? 0 }),
              interfaces: () => running.interfaces(),
            }),
          )
        },
      })
    } catch (error) {
      logger.error(describe(error))
      return 1
    }
  }

  daemon = startDaemon(daemonOptions, realDaemonDeps(daemonOptions, logger), VERSION)
  daemon.subscribe({
    onReady(discovery) {
      if (options.stdout) io.writeOut(encodeLine(discovery))
      server?.greetWaiting()
    },
    onChange(event) {
      const line = encodeLine(event)
      if (options.stdout) io.writeOut(line)
      server?.broadcast(line)
    },
  })
  daemon.subscribe(extra)

  const signal = await new Promise<string>((resolve) => {
    const removeHandler = io.onStopSignal((name) => {
      removeHandler()
      resolve(name)
    })
    void until.then(() => {
      removeHandler()
      resolve('done')
    })
  })
  logger.info('stopping', { signal })
  await Promise.all([server?.close(), daemon.stop()])
  logger.info('stopped')
  return 0
}
