import type { Socket } from 'node:net'
import { createBoundedLines } from '../core/bounded-lines.js'
import { createCommandBudget } from '../core/command-budget.js'
import type { Logger } from './logger.js'

/** Why a client is sent a last line and closed. */
export type Refusal = 'too-many-clients' | 'line-too-long' | 'internal-error'

/** What the connection asks the daemon for. */
export interface ConnectionHooks {
  /** The discovery line (newline included) to greet a client with; undefined until ready. */
  discoveryLine(): string | undefined
  /** The reply line (newline included) to one command line. */
  replyLine(line: string): string
  /** The last line (newline included) sent to a client closed for `reason`. */
  refusal(reason: Refusal): string
}

/** What one client may do to the daemon. */
export interface ConnectionLimits {
  /** A line longer than this gets the `line-too-long` refusal and the connection is closed. */
  maxLineBytes: number
  /** A client whose unsent backlog passes this before a message is disconnected. */
  maxBacklogBytes: number
  /** Command lines a client may send at once before it is throttled. */
  commandBurst: number
  /** Command lines per second a throttled client is read at. */
  commandsPerSecond: number
}

/** One connected client, as the server sees it. */
export interface ClientConnection {
  readonly id: number
  readonly greeted: boolean
  /** The client shut its writing side: it sends no more commands but still hears events. */
  readonly listenOnly: boolean
  /** Sends the discovery if the daemon is ready and the client was not greeted yet. */
  greet(): void
  /** Sends one line, or disconnects a client whose backlog passed the cap. */
  send(line: string): void
  /** Asks the kernel, by an empty write, whether the peer is still there; a gone peer is dropped. */
  probe(): void
  /** Closes the connection at once. */
  destroy(reason: string): void
}

/** How long a refused client gets to read its reply and hang up before it is cut off. */
const REFUSAL_GRACE_MS = 1000

const ROUTINE_ERRORS = new Set(['EPIPE', 'ECONNRESET'])

/**
 * Sends a last reply and closes. What the client still sends is read and dropped, so a
 * client blocked on writing can flush and see our end; one that neither reads nor hangs
 * up is destroyed after a grace period (the only timer, and only on this path). Without
 * this, a paused socket whose client was mid-write stayed half-open forever.
 */
export const closeWithReply = (socket: Socket, line: string): void => {
  socket.removeAllListeners('data')
  socket.removeAllListeners('end')
  socket.on('data', () => {})
  socket.on('error', () => {})
  const deadline = setTimeout(() => socket.destroy(), REFUSAL_GRACE_MS)
  socket.once('close', () => clearTimeout(deadline))
  socket.resume()
  socket.end(line)
}

const describe = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error))

/**
 * One client connection: line framing with its limit, the greeting gate (commands are read
 * only after the discovery went out, so it is always the first line), one reply per line in
 * order, a command budget (a token bucket: a client past it is not read until it refills,
 * which is backpressure, not loss), the backlog cap, and half-close (end of input means no
 * more commands, not hang up). `onGone` is called once, whatever ends the connection.
 */
export const openConnection = (
  socket: Socket,
  id: number,
  limits: ConnectionLimits,
  hooks: ConnectionHooks,
  logger: Logger,
  onGone: (connection: ClientConnection, reason: string) => void,
  now: () => number = () => performance.now(),
): ClientConnection => {
  const lines = createBoundedLines(limits.maxLineBytes)
  let greeted = false
  let listenOnly = false
  let gone = false
  const budget = createCommandBudget(limits.commandBurst, limits.commandsPerSecond, now)
  let throttle: NodeJS.Timeout | undefined

  const leave = (reason: string): void => {
    if (gone) return
    gone = true
    if (throttle !== undefined) clearTimeout(throttle)
    onGone(connection, reason)
  }

  const refuse = (reason: Refusal, why: string): void => {
    closeWithReply(socket, hooks.refusal(reason))
    leave(why)
  }

  const send = (line: string): void => {
    /* c8 ignore next -- a guard: every caller stops once gone, and a socket node destroys emits 'error' (so leaves) before any other callback */
    if (socket.destroyed || gone) return
    // The cap bounds what piles up behind a reader that stopped, never one message: a
    // discovery or event larger than the cap still goes to a client that keeps up.
    if (socket.writableLength > limits.maxBacklogBytes) {
      logger.warn('client stopped reading; disconnecting it', { client: id, backlogBytes: socket.writableLength })
      socket.destroy()
      leave('backlog over cap')
      return
    }
    socket.write(line)
  }

  /** Stops reading for `waitMs`, until the budget refills; the only timer of a connection. */
  const throttleFor = (waitMs: number): void => {
    socket.pause()
    throttle = setTimeout(() => {
      throttle = undefined
      if (gone) return
      guarded(drain)
      if (throttle === undefined && !gone && !listenOnly) socket.resume()
    }, waitMs)
  }

  /** Answers the complete lines read so far, as far as the budget allows. */
  const drain = (): void => {
    for (let next = lines.peek(); next !== undefined; next = lines.peek()) {
      if (next === 'too-long') return refuseLongLine()
      const waitMs = budget.spend(next)
      if (waitMs > 0) return throttleFor(waitMs)
      const line = lines.take().trim()
      if (line !== '') send(hooks.replyLine(line))
      if (gone) return
    }
  }

  const refuseLongLine = (): void => {
    logger.warn('client sent a line over the limit; closing it', { client: id, limitBytes: limits.maxLineBytes })
    refuse('line-too-long', 'line too long')
  }

  const guarded = (work: () => void): void => {
    try {
      work()
    } catch (error) {
      // A bug must cost one client its connection, never the daemon everyone else relies on.
      logger.error('failed to answer a client; closing it', { client: id, error: describe(error) })
      refuse('internal-error', 'internal error')
    }
  }

  const onData = (chunk: Buffer): void =>
    guarded(() => {
      lines.push(chunk)
      if (throttle === undefined) drain()
    })

  const connection: ClientConnection = {
    id,
    get greeted() {
      return greeted
    },
    get listenOnly() {
      return listenOnly
    },
    greet() {
      if (greeted || gone) return
      const discovery = hooks.discoveryLine()
      if (discovery === undefined) return
      greeted = true
      send(discovery)
      if (!gone && !listenOnly) socket.resume()
    },
    send,
    probe() {
      /* c8 ignore next -- a guard, as in send: probes are only asked of clients still connected */
      if (gone || socket.destroyed) return
      socket.write('', (error) => {
        if (error !== undefined && error !== null) leave('gone')
      })
    },
    destroy(reason) {
      socket.destroy()
      leave(reason)
    },
  }

  // Commands wait until the discovery went out, so it is always the first line.
  socket.pause()
  socket.on('data', onData)
  socket.on('end', () => {
    // No more commands; the lines already read are still answered, and events keep coming.
    listenOnly = true
    guarded(() => {
      if (throttle === undefined) drain()
    })
    if (!gone) connection.probe()
  })
  socket.on('close', () => leave('closed'))
  socket.on('error', (error: NodeJS.ErrnoException) => {
    const code = error.code ?? error.message
    if (ROUTINE_ERRORS.has(code)) logger.debug('client socket error', { client: id, code })
    else logger.warn('client socket error', { client: id, code })
    socket.destroy()
    leave(code)
  })
  return connection
}
