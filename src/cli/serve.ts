import { messageOf } from '../core/result.js'
import type { CoreOptions } from '../core/state.js'
import { NetmonError } from '../adapters/errors.js'
import { createLogger, stderrLogFormat, type Logger, type LogLevel } from '../adapters/logger.js'
import { checkIpAndFindLauncher } from '../adapters/start-up-checks.js'
import { notifyReady } from '../adapters/systemd-notify.js'
import { DEFAULT_DAEMON_TIMEOUTS, type DaemonListener } from '../daemon.js'
import { startSidecar, type Sidecar } from '../sidecar.js'
import type { CliIo } from './io.js'
import { VERSION } from './version.js'

export const DEFAULT_SOCKET = '/var/orchestrator/netmon.sock'

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

/**
 * `requested` resolves with the name of the first stop signal, or 'done' when `until`
 * resolves. The handlers stay until `remove`: a second SIGTERM while stopping must not kill
 * netmon before its socket file is removed.
 */
const stopRequest = (io: CliIo, until: Promise<void>): { requested: Promise<string>; remove(): void } => {
  let stopWith: (reason: string) => void
  const requested = new Promise<string>((resolve) => (stopWith = resolve))
  void until.then(() => stopWith('done'))
  return { requested, remove: io.onStopSignal((signal) => stopWith(signal)) }
}

/**
 * Runs the daemon until SIGTERM/SIGINT or until `until` resolves: checks `ip`, starts the
 * sidecar (socket and daemon) and stops it; SIGHUP resyncs. Every signal is handled from
 * the first moment, so one during start-up stops (or is a no-op resync for) what was started
 * instead of leaving a socket file or an `ip` child behind. Resolves with the exit code.
 */
export const serve = async (
  options: ServeOptions,
  io: CliIo,
  extra: DaemonListener = {},
  until: Promise<void> = new Promise(() => {}),
): Promise<number> => {
  const stop = stopRequest(io, until)
  const logger = createLogger(options.logLevel, io.writeErr, undefined, stderrLogFormat())
  const started: { sidecar?: Sidecar } = {}
  // From the first moment to the last: SIGHUP's default action would kill netmon, leaving
  // its socket file. Before the daemon runs there is nothing to resync: its first snapshot
  // is the truth.
  const removeReloadHandler = io.onReloadSignal(() => {
    logger.info('resync', { reason: 'SIGHUP' })
    started.sidecar?.resync('SIGHUP')
  })
  try {
    return await run(options, io, logger, extra, stop.requested, started)
  } finally {
    removeReloadHandler()
    stop.remove()
  }
}

const run = async (
  options: ServeOptions,
  io: CliIo,
  logger: Logger,
  extra: DaemonListener,
  stop: Promise<string>,
  started: { sidecar?: Sidecar },
): Promise<number> => {
  let sidecar: Sidecar
  try {
    // Children that need not wait for the path's lock.
    const checks = checkIpAndFindLauncher(options.ip)
    sidecar = await startSidecar(
      {
        daemon: { ...DEFAULT_DAEMON_TIMEOUTS, core: coreOptionsOf(options), ipPath: options.ip, snapshotTimeoutMs: options.snapshotTimeout },
        checks,
        version: VERSION,
        socket: options.socket === false ? undefined : { path: options.socket, mode: options.socketMode, maxClients: options.maxClients },
        writeOut: options.stdout ? io.writeOut : undefined,
      },
      logger,
      extra,
    )
  } catch (error) {
    // The stable code goes with the message, so logs can be matched on it.
    logger.error(messageOf(error), error instanceof NetmonError ? { code: error.code } : {})
    return 1
  }
  started.sidecar = sidecar
  // The socket listens and the discovery is in: units ordered after netmon may start.
  void sidecar.ready.then(() => notifyReady(logger))
  const signal = await stop
  logger.info('stopping', { signal })
  await sidecar.stop()
  logger.info('stopped')
  return 0
}
