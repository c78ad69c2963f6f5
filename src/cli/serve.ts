import type { CoreOptions } from '../core/state.js'
import { checkIp } from '../adapters/ip-command.js'
import { createLogger, stderrLogFormat, type LogLevel } from '../adapters/logger.js'
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

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/** Resolves with the name of the first stop signal, or 'done' when `until` resolves. */
const stopRequest = (io: CliIo, until: Promise<void>): Promise<string> =>
  new Promise<string>((resolve) => {
    const removeHandler = io.onStopSignal((name) => {
      removeHandler()
      resolve(name)
    })
    void until.then(() => {
      removeHandler()
      resolve('done')
    })
  })

/**
 * Runs the daemon until SIGTERM/SIGINT/SIGHUP or until `until` resolves: checks `ip`, starts
 * the sidecar (socket and daemon) and stops it. The stop signals are handled from the first
 * moment, so a signal during start-up stops what was started instead of leaving a socket
 * file or an `ip` child behind. Resolves with the exit code.
 */
export const serve = async (
  options: ServeOptions,
  io: CliIo,
  extra: DaemonListener = {},
  until: Promise<void> = new Promise(() => {}),
): Promise<number> => {
  const stop = stopRequest(io, until)
  const logger = createLogger(options.logLevel, io.writeErr, undefined, stderrLogFormat())
  let sidecar: Sidecar
  try {
    await checkIp(options.ip)
    sidecar = await startSidecar(
      {
        daemon: { ...DEFAULT_DAEMON_TIMEOUTS, core: coreOptionsOf(options), ipPath: options.ip, snapshotTimeoutMs: options.snapshotTimeout },
        version: VERSION,
        socket: options.socket === false ? undefined : { path: options.socket, mode: options.socketMode, maxClients: options.maxClients },
        writeOut: options.stdout ? io.writeOut : undefined,
      },
      logger,
      extra,
    )
  } catch (error) {
    logger.error(describe(error))
    return 1
  }
  // The socket listens and the discovery is in: units ordered after netmon may start.
  void sidecar.ready.then(() => notifyReady(logger))
  const signal = await stop
  logger.info('stopping', { signal })
  await sidecar.stop()
  logger.info('stopped')
  return 0
}
