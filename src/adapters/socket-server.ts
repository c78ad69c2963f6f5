import { createServer, type Socket } from 'node:net'
import { dirname } from 'node:path'
import { closeWithReply, openConnection, type ClientConnection, type ConnectionHooks, type ConnectionLimits } from './client-connection.js'
import { ensureFolder } from './ensure-folder.js'
import { NetmonError } from './errors.js'
import type { Logger } from './logger.js'
import { lockPath, type PathLock } from './path-lock.js'
import { bindSocket, unlinkOwnSocket } from './socket-bind.js'
import { checkSocketPath } from './socket-path.js'

export type { ConnectionHooks as SocketServerHooks, Refusal } from './client-connection.js'

export interface SocketServerOptions extends ConnectionLimits {
  path: string
  mode: number
  maxClients: number
  logger: Logger
}

export interface SocketServer {
  /** The daemon is ready: greet clients that connected before. */
  greetWaiting(): void
  /** Sends one line to every greeted client. */
  broadcast(line: string): void
  clientCount(): number
  /** Stops accepting, closes every client, removes the socket file if it is still ours, unlocks. */
  close(): Promise<void>
}

/** A socket path this process holds the lock of, not yet served. */
export interface SocketClaim {
  readonly path: string
  /** Binds and serves the path; on failure the claim is released. */
  listen(hooks: ConnectionHooks): Promise<SocketServer>
  release(): void
}

/**
 * Claims `options.path` for this process: checks the path, creates its folder and takes the
 * lock `<path>.lock`, so that a second netmon on one path is refused before it starts
 * anything. Throws NetmonError (ERR_SOCKET_PATH, ERR_SOCKET_IN_USE, ERR_LOCK).
 */
export const claimSocketPath = async (options: SocketServerOptions): Promise<SocketClaim> => {
  const checked = checkSocketPath(options.path)
  if (!checked.ok) throw new NetmonError('ERR_SOCKET_PATH', checked.error)
  try {
    ensureFolder(dirname(options.path))
  } catch (cause) {
    throw new NetmonError('ERR_SOCKET_PATH', `cannot create the folder of ${options.path}: pass a writable --socket path`, { cause })
  }
  const lock = await lockPath(`${options.path}.lock`)
  return {
    path: options.path,
    listen: async (hooks) => {
      try {
        return await serveClaimed(options, hooks, lock)
      } catch (error) {
        lock.release()
        throw error
      }
    },
    release: () => lock.release(),
  }
}

/** Claims the path and serves it: the two steps of `claimSocketPath` at once. */
export const listenSocket = async (options: SocketServerOptions, hooks: ConnectionHooks): Promise<SocketServer> =>
  (await claimSocketPath(options)).listen(hooks)

/**
 * The sidecar socket's lifecycle and fan-out: accepts clients up to `maxClients` (making
 * room by dropping listen-only clients whose peer is gone), greets them, sends every event
 * to each, and on close removes only the socket file it created.
 */
const serveClaimed = async (options: SocketServerOptions, hooks: ConnectionHooks, lock: PathLock): Promise<SocketServer> => {
  const { logger } = options
  const clients = new Set<ClientConnection>()
  let nextId = 1

  // Called once per client (openConnection promises it), always after admit added it.
  const onGone = (client: ClientConnection, reason: string): void => {
    clients.delete(client)
    logger.debug('client gone', { client: client.id, reason, clients: clients.size })
  }

  const admit = (socket: Socket): void => {
    const client = openConnection(socket, nextId++, options, hooks, logger, onGone)
    clients.add(client)
    logger.debug('client connected', { client: client.id, clients: clients.size })
    client.greet()
  }

  const refuse = (socket: Socket): void => {
    logger.warn('refusing a client: too many clients', { maxClients: options.maxClients })
    closeWithReply(socket, hooks.refusal('too-many-clients'))
  }

  /**
   * A client that shut its writing side may be listening still, or gone altogether: only a
   * write tells. So when the server is full, each such client gets an empty write (the
   * kernel answers EPIPE for a gone peer, and the client sees no byte), and the newcomer is
   * decided once those answers are in (the write errors arrive before the next turn).
   */
  const accept = (socket: Socket): void => {
    if (clients.size < options.maxClients) return admit(socket)
    const listenOnly = [...clients].filter((client) => client.listenOnly)
    if (listenOnly.length === 0) return refuse(socket)
    for (const client of listenOnly) client.probe()
    setImmediate(() => (clients.size < options.maxClients ? admit(socket) : refuse(socket)))
  }

  const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, accept)
  const own = await bindSocket(server, options.path, options.mode)
  server.on('error', (error) => logger.error('socket server error', { error: error.message }))
  logger.info('listening', { socket: options.path, mode: options.mode.toString(8) })

  return {
    greetWaiting() {
      for (const client of clients) client.greet()
    },
    broadcast(line) {
      for (const client of clients) if (client.greeted) client.send(line)
    },
    clientCount: () => clients.size,
    close: () =>
      new Promise<void>((resolve) => {
        // Unlinked before the lock is released, so the next netmon never meets our file.
        if (!unlinkOwnSocket(options.path, own)) logger.warn('the socket file is no longer ours; leaving it', { socket: options.path })
        server.close(() => {
          lock.release()
          resolve()
        })
        for (const client of [...clients]) client.destroy('daemon stopping')
      }),
  }
}
