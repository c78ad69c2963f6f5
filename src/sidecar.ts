import { INTERNAL_ERROR, lineTooLong, replyToLine, TOO_MANY_CLIENTS } from './core/commands.js'
import { encodeLine } from './core/protocol.js'
import { unreachable } from './core/result.js'
import type { ConnectionLimits, Refusal } from './adapters/client-connection.js'
import type { Launcher } from './adapters/die-with-parent.js'
import type { Logger } from './adapters/logger.js'
import { claimSocketPath, type SocketServer } from './adapters/socket-server.js'
import { createDaemon, realDaemonDeps, type DaemonDeps, type DaemonListener, type DaemonOptions } from './daemon.js'

/** What one client may do to the daemon: the one home of these limits (README, "Limits"). */
export const CLIENT_LIMITS: ConnectionLimits = {
  maxLineBytes: 64 * 1024,
  maxBacklogBytes: 1024 * 1024,
  commandBurst: 64,
  commandsPerSecond: 32,
}

export interface SidecarOptions {
  daemon: DaemonOptions
  /**
   * The caller's start-up checks (serve's: the `ip` check and the setpriv probe), resolving
   * with how `ip monitor` is started. Their children run while the path's lock is taken.
   */
  checks: Promise<Launcher>
  version: string
  /** The socket to serve; undefined serves none (--no-socket). */
  socket?: { path: string; mode: number; maxClients: number }
  /** Where every event line goes besides the socket (--stdout). */
  writeOut?: (line: string) => void
}

/** A running netmon: the daemon and what it serves. */
export interface Sidecar {
  /** Resolves when the discovery can be served (the socket, if any, already listens). */
  ready: Promise<void>
  /** Reads the interfaces again (SIGHUP); what differs from what clients were told is sent. */
  resync(reason: string): void
  /** Stops accepting, closes clients, removes the socket file, stops `ip`. */
  stop(): Promise<void>
}

const refusalLine = (reason: Refusal): string => {
  switch (reason) {
    case 'too-many-clients':
      return encodeLine(TOO_MANY_CLIENTS)
    case 'line-too-long':
      return encodeLine(lineTooLong(CLIENT_LIMITS.maxLineBytes))
    case 'internal-error':
      return encodeLine(INTERNAL_ERROR)
    /* c8 ignore next 2 -- the union is exhausted above; the compiler checks it */
    default:
      return unreachable(reason)
  }
}

/**
 * The composition root: claims the socket path while the start-up checks run (a second
 * netmon is refused before it starts anything), creates the daemon, serves the socket with
 * hooks that read the daemon, then starts the daemon, and owns stopping them. Listening
 * first lets clients connect while `ip monitor` is spawned (a spawn holds node for 5-15 ms,
 * BENCHMARKS.md, issue 12); they get the discovery when it is in, as before. Throws the
 * checks' error, or NetmonError when the path cannot be served; nothing is left running or
 * held then. `daemonDeps` replaces the real `ip` children (tests).
 */
export const startSidecar = async (options: SidecarOptions, logger: Logger, listener: DaemonListener = {}, daemonDeps?: DaemonDeps): Promise<Sidecar> => {
  const [claimed, checked] = await Promise.allSettled([
    options.socket === undefined ? undefined : claimSocketPath({ ...options.socket, ...CLIENT_LIMITS, logger }),
    options.checks,
  ])
  if (checked.status === 'rejected') {
    if (claimed.status === 'fulfilled') claimed.value?.release()
    throw checked.reason
  }
  if (claimed.status === 'rejected') throw claimed.reason
  const claim = claimed.value
  const deps = daemonDeps ?? realDaemonDeps(options.daemon, checked.value, logger)
  let server: SocketServer | undefined
  const serveEvents: DaemonListener = {
    onReady(discovery) {
      options.writeOut?.(encodeLine(discovery))
      server?.greetWaiting()
    },
    onChange(event) {
      const line = encodeLine(event)
      options.writeOut?.(line)
      server?.broadcast(line)
    },
  }
  // Listeners go in at the start: `netmon record` must hear the very first input (the
  // start-up resync), which the monitor may report before a later `subscribe` call.
  const daemon = createDaemon(options.daemon, deps, options.version, [serveEvents, listener])
  // Nothing of the daemon runs yet: a path that cannot be served leaves nothing to stop.
  if (claim !== undefined) {
    server = await claim.listen({
      discoveryLine: () => (daemon.isReady() ? daemon.discoveryLine() : undefined),
      replyLine: (line) =>
        encodeLine(
          replyToLine(line, {
            status: () => daemon.status(server?.clientCount()),
            interfaces: () => daemon.interfaces(),
          }),
        ),
      refusal: refusalLine,
    })
  }
  daemon.start()
  const serving = server
  return {
    ready: daemon.ready,
    resync: (reason) => daemon.resync(reason),
    stop: async () => {
      await Promise.all([serving?.close(), daemon.stop()])
    },
  }
}
