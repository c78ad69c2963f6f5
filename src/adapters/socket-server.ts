import { chmodSync, unlinkSync } from 'node:fs'
import { createServer, type Socket } from 'node:net'
import { dirname } from 'node:path'
import { ensureFolder } from './ensure-folder.js'
import { bindSocket } from './socket-bind.js'
import { checkSocketPath } from './socket-path.js'
import { NetmonError } from './errors.js'
import type { Logger } from './logger.js'

export interface SocketServerOptions {
  path: string
  mode: number
  maxClients: number
  /** A client line longer than this gets an error reply and the connection is closed. */
  maxLineBytes: number
  /** A client whose unsent backlog passes this is disconnected (its next discovery has it all). */
  maxBacklogBytes: number
  logger: Logger
}

export interface SocketServerHooks {
  /** The discovery line (newline included) to greet a client with; undefined until ready. */
  discoveryLine(): string | undefined
  /** The reply line (newline included) to one command line. */
  replyLine(line: string): string
  /** Line sent to a client refused because `maxClients` are connected. */
  tooManyClientsLine: string
  /** Line sent before closing a client whose line passed `maxLineBytes`. */
  lineTooLongLine: string
  /** Line sent before closing a client whose line made `replyLine` throw. */
  internalErrorLine: string
}

export interface SocketServer {
  /** The daemon is ready: greet clients that connected before. */
  greetWaiting(): void
  /** Sends one line to every greeted client. */
  broadcast(line: string): void
  clientCount(): number
  close(): Promise<void>
}

interface Client {
  socket: Socket
  greeted: boolean
  pending: Buffer
  id: number
}

const describe = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error))

const ROUTINE_ERRORS = new Set(['EPIPE', 'ECONNRESET'])

/** How long a refused client gets to read its reply and hang up before it is cut off. */
const REFUSAL_GRACE_MS = 1000

/**
 * Sends a last reply and closes. What the client still sends is read and dropped, so a
 * client blocked on writing can flush and see our end; one that neither reads nor hangs
 * up is destroyed after a grace period (the only timer, and only on this path). Without
 * this, a paused socket whose client was mid-write stayed half-open forever.
 */
const closeWithReply = (socket: Socket, line: string): void => {
  socket.removeAllListeners('data')
  socket.on('data', () => {})
  socket.on('error', () => {})
  const deadline = setTimeout(() => socket.destroy(), REFUSAL_GRACE_MS)
  socket.once('close', () => clearTimeout(deadline))
  socket.resume()
  socket.end(line)
}

/**
 * The sidecar socket: greets each client with the discovery, fans changes out, answers
 * command lines, and keeps any one client from hurting the daemon or the others.
 */
export const listenSocket = async (options: SocketServerOptions, hooks: SocketServerHooks): Promise<SocketServer> => {
  const { logger } = options
  const clients = new Set<Client>()
  let nextId = 1
  const checked = checkSocketPath(options.path)
  if (!checked.ok) throw new NetmonError('ERR_SOCKET_PATH', checked.error)
  try {
    ensureFolder(dirname(options.path))
  } catch (cause) {
    throw new NetmonError('ERR_SOCKET_PATH', `cannot create the folder of ${options.path}: pass a writable --socket path`, { cause })
  }

  const drop = (client: Client, reason: string): void => {
    if (!clients.delete(client)) return
    logger.debug('client gone', { client: client.id, reason, clients: clients.size })
  }

  const send = (client: Client, line: string): void => {
    const { socket } = client
    if (socket.destroyed) return
    // The cap bounds what piles up behind a reader that stopped, never one message: a
    // discovery or event larger than the cap still goes to a client that keeps up.
    if (socket.writableLength > options.maxBacklogBytes) {
      logger.warn('client stopped reading; disconnecting it', { client: client.id, backlogBytes: socket.writableLength })
      socket.destroy()
      drop(client, 'backlog over cap')
      return
    }
    socket.write(line)
  }

  const greet = (client: Client): void => {
    const discovery = hooks.discoveryLine()
    if (discovery === undefined) return
    client.greeted = true
    send(client, discovery)
    client.socket.resume()
  }

  const onData = (client: Client, chunk: Buffer): void => {
    try {
      readLines(client, chunk)
    } catch (error) {
      // A bug must cost one client its connection, never the daemon everyone else relies on.
      logger.error('failed to answer a client; closing it', { client: client.id, error: describe(error) })
      client.pending = Buffer.alloc(0)
      closeWithReply(client.socket, hooks.internalErrorLine)
      drop(client, 'internal error')
    }
  }

  const readLines = (client: Client, chunk: Buffer): void => {
    let pending = client.pending.length === 0 ? chunk : Buffer.concat([client.pending, chunk])
    for (let newline = pending.indexOf(10); newline >= 0; newline = pending.indexOf(10)) {
      const line = pending.subarray(0, newline).toString('utf8').trim()
      pending = pending.subarray(newline + 1)
      if (newline > options.maxLineBytes) return refuseLongLine(client)
      if (line !== '') send(client, hooks.replyLine(line))
    }
    if (pending.length > options.maxLineBytes) return refuseLongLine(client)
    client.pending = Buffer.from(pending)
  }

  const refuseLongLine = (client: Client): void => {
    logger.warn('client sent a line over the limit; closing it', { client: client.id, limitBytes: options.maxLineBytes })
    client.pending = Buffer.alloc(0)
    closeWithReply(client.socket, hooks.lineTooLongLine)
    drop(client, 'line too long')
  }

  const accept = (socket: Socket): void => {
    if (clients.size >= options.maxClients) {
      logger.warn('refusing a client: too many clients', { maxClients: options.maxClients })
      closeWithReply(socket, hooks.tooManyClientsLine)
      return
    }
    const client: Client = { socket, greeted: false, pending: Buffer.alloc(0), id: nextId++ }
    clients.add(client)
    logger.debug('client connected', { client: client.id, clients: clients.size })
    // Commands wait until the discovery went out, so it is always the first line.
    socket.pause()
    socket.on('data', (chunk: Buffer) => onData(client, chunk))
    socket.on('end', () => {
      socket.end()
      drop(client, 'client ended')
    })
    socket.on('close', () => drop(client, 'closed'))
    socket.on('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? error.message
      if (ROUTINE_ERRORS.has(code)) logger.debug('client socket error', { client: client.id, code })
      else logger.warn('client socket error', { client: client.id, code })
      drop(client, code)
    })
    greet(client)
  }

  const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, accept)
  await bindSocket(server, options.path, options.mode)
  try {
    chmodSync(options.path, options.mode)
  } catch (cause) {
    server.close()
    throw new NetmonError('ERR_SOCKET_PATH', `cannot set mode ${options.mode.toString(8)} on ${options.path}`, { cause })
  }
  server.on('error', (error) => logger.error('socket server error', { error: error.message }))
  logger.info('listening', { socket: options.path, mode: options.mode.toString(8) })

  return {
    greetWaiting() {
      for (const client of clients) if (!client.greeted) greet(client)
    },
    broadcast(line) {
      for (const client of clients) if (client.greeted) send(client, line)
    },
    clientCount: () => clients.size,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        for (const client of clients) client.socket.destroy()
        clients.clear()
        try {
          unlinkSync(options.path)
        } catch {
          // Already gone: nothing to clean up.
        }
      }),
  }
}
