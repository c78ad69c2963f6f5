import { createConnection, type Socket } from 'node:net'
import type {
  Command,
  ErrorReply,
  GetInterfacesCommand,
  GetStatusCommand,
  InterfacesReply,
  NetworkChange,
  NetworkDiscovery,
  Reply,
  StatusReply,
} from '../schema/protocol.js'
import { backoffDelay } from '../core/backoff.js'
import { createAsyncQueue } from './async-queue.js'
import { NetmonClientError } from './errors.js'
import { createLineSplitter, type LineSplitter } from './line-splitter.js'
import { parseLine } from './parse-line.js'

/** The socket the sidecar serves by default (the seed's path). */
export const DEFAULT_SOCKET_PATH = '/var/orchestrator/netmon.sock'

/** What the client yields. Bad input is reported as `malformed`/`unknown`, never thrown. */
export type ClientEvent =
  | { kind: 'connected'; socket: string }
  /** `resync` is true on every discovery after a reconnection: replace what you cached. */
  | { kind: 'discovery'; event: NetworkDiscovery; resync: boolean }
  | { kind: 'change'; event: NetworkChange }
  /** A JSON object whose `type` this client does not know (a newer daemon), passed through. */
  | { kind: 'unknown'; type: string; message: Record<string, unknown> }
  /** A line that is not valid JSON, breaks the schema, ends mid-line, or answers no request. */
  | { kind: 'malformed'; line: string; reason: string }
  | { kind: 'disconnected'; reason: string }
  /** The socket is not there or refused; the next try is in `delayMs`. */
  | { kind: 'retrying'; error: string; attempt: number; delayMs: number }

export interface ConnectOptions {
  /** Unix socket path; default /var/orchestrator/netmon.sock. */
  socket?: string
  /** Aborting closes the connection, ends the iteration and rejects pending requests. */
  signal?: AbortSignal
  /** How long `request` waits for its reply by default (ms). */
  requestTimeoutMs?: number
  /** Reconnection delay: starts at `initialMs`, doubles per failure up to `maxMs`. */
  backoff?: { initialMs?: number; maxMs?: number }
  /** A line longer than this is reported and the connection is dropped (default 16 MiB). */
  maxLineBytes?: number
  /**
   * Most events kept for a consumer that is not iterating (default 10,000). One more drops
   * them and reconnects: the next discovery (`resync: true`) carries the whole current state,
   * as the daemon does with a client that stops reading. Memory stays bounded either way.
   */
  maxQueuedEvents?: number
  /** For tests: how to open the socket. */
  createConnection?: (path: string) => Socket
}

/** The reply type `request` resolves with for each command. */
export type ReplyTo<C extends Command> = C extends GetStatusCommand
  ? StatusReply | ErrorReply
  : C extends GetInterfacesCommand
    ? InterfacesReply | ErrorReply
    : Reply

/** A live connection to the daemon: iterate it for events, call `request` at any time. */
export interface NetmonClient extends AsyncIterable<ClientEvent> {
  /**
   * Sends one command and resolves with its reply (replies come in command order). Waits for
   * a connection if there is none yet; rejects with NetmonClientError on timeout
   * (ERR_REQUEST_TIMEOUT), when the connection drops first (ERR_DISCONNECTED) or on close
   * (ERR_CLIENT_CLOSED). An error reply (`success: false`) resolves.
   */
  request<const C extends Command>(command: C, options?: { timeoutMs?: number }): Promise<ReplyTo<C>>
  /** True while a connection is open. */
  readonly connected: boolean
  /** Closes for good: the iteration ends, pending requests reject. Same as aborting `signal`. */
  close(): void
}

interface Pending {
  line: string
  resolve(reply: Reply): void
  reject(error: NetmonClientError): void
  timer: NodeJS.Timeout
  /** Timed out after it was sent: its late reply is swallowed so the next ones still match. */
  abandoned: boolean
}

/*
 * Connection states:
 *   connecting --connect--> open --close/error--> waiting --backoff timer--> connecting
 *   connecting --error--> waiting
 *   any --close()/abort--> closed (final)
 * The backoff resets only when a discovery arrives, so a daemon that accepts and drops
 * connections in a loop is retried at the capped rate, not in a tight loop.
 */

/** Connects to the netmon socket, waiting for it to appear and reconnecting when it goes away. */
export const connect = (options: ConnectOptions = {}): NetmonClient => {
  const path = options.socket ?? DEFAULT_SOCKET_PATH
  const initialMs = options.backoff?.initialMs ?? 100
  const maxMs = options.backoff?.maxMs ?? 5000
  const requestTimeoutMs = options.requestTimeoutMs ?? 5000
  const maxLineBytes = options.maxLineBytes ?? 16 * 1024 * 1024
  const maxQueuedEvents = options.maxQueuedEvents ?? 10_000
  const open = options.createConnection ?? ((socketPath: string) => createConnection(socketPath))

  const events = createAsyncQueue<ClientEvent>(() => close())
  const outbox: Pending[] = []
  const inFlight: Pending[] = []
  let socket: Socket | undefined
  let isOpen = false
  let closed = false
  let failures = 0
  let discoveries = 0
  let retryTimer: NodeJS.Timeout | undefined

  const send = (pending: Pending): void => {
    inFlight.push(pending)
    socket?.write(pending.line)
  }

  const onLine = (line: string): void => {
    const parsed = parseLine(line)
    switch (parsed.kind) {
      case 'discovery':
        failures = 0
        discoveries += 1
        events.push({ kind: 'discovery', event: parsed.event, resync: discoveries > 1 })
        return
      case 'change':
        events.push({ kind: 'change', event: parsed.event })
        return
      case 'unknown':
        events.push(parsed)
        return
      case 'malformed':
        events.push({ kind: 'malformed', line: parsed.line, reason: parsed.reason })
        // An object without `type` that breaks the reply schema still answers the oldest request.
        if (parsed.badReply === true) answerOldest(undefined, parsed.reason)
        return
      case 'reply':
        if (!answerOldest(parsed.reply, '')) {
          const detail = parsed.reply.success ? '' : `: ${parsed.reply.error}`
          events.push({ kind: 'malformed', line, reason: `a reply with no request waiting${detail}` })
        }
        return
    }
  }

  /** Settles the oldest request sent on this connection; false when none was waiting. */
  const answerOldest = (reply: Reply | undefined, reason: string): boolean => {
    const pending = inFlight.shift()
    if (pending === undefined) return false
    clearTimeout(pending.timer)
    if (pending.abandoned) return true
    if (reply === undefined) pending.resolve({ success: false, error: `malformed reply: ${reason}` })
    else pending.resolve(reply)
    return true
  }

  const attach = (current: Socket): void => {
    const splitter: LineSplitter = createLineSplitter()
    let reason = 'closed by the daemon'
    /** We hung up on purpose: a cut-off last line is expected, not malformed input. */
    let droppedByUs = false
    const dropConnection = (why: string): void => {
      reason = why
      droppedByUs = true
      current.destroy()
    }
    current.on('connect', () => {
      isOpen = true
      events.push({ kind: 'connected', socket: path })
      for (const pending of outbox.splice(0)) send(pending)
    })
    current.on('data', (chunk: Buffer) => {
      for (const line of splitter.push(chunk)) {
        if (droppedByUs) return
        onLine(line)
        if (events.buffered() > maxQueuedEvents) {
          events.dropBuffered()
          dropConnection(`the consumer fell behind: more than ${maxQueuedEvents} events unread, dropped; the next discovery has them all`)
        }
      }
      if (!droppedByUs && splitter.pendingBytes() > maxLineBytes) {
        events.push({ kind: 'malformed', line: '', reason: `a line longer than ${maxLineBytes} bytes; reconnecting` })
        dropConnection('line too long')
      }
    })
    current.on('error', (error: NodeJS.ErrnoException) => {
      reason = error.code ?? error.message
    })
    current.on('close', () => {
      if (socket !== current) return
      socket = undefined
      const tail = splitter.rest()
      if (tail !== '' && !droppedByUs) events.push({ kind: 'malformed', line: tail, reason: 'connection closed mid-line' })
      for (const pending of inFlight.splice(0)) {
        clearTimeout(pending.timer)
        if (!pending.abandoned) pending.reject(new NetmonClientError('ERR_DISCONNECTED', `${path} closed before replying; retry the request`))
      }
      if (closed) return
      if (isOpen) events.push({ kind: 'disconnected', reason })
      isOpen = false
      const delayMs = backoffDelay(failures, { initialMs, maxMs })
      failures += 1
      events.push({ kind: 'retrying', error: reason, attempt: failures, delayMs })
      retryTimer = setTimeout(dial, delayMs)
    })
  }

  const dial = (): void => {
    retryTimer = undefined
    if (closed) return
    socket = open(path)
    attach(socket)
  }

  const close = (): void => {
    if (closed) return
    closed = true
    options.signal?.removeEventListener('abort', close)
    clearTimeout(retryTimer)
    socket?.destroy()
    socket = undefined
    isOpen = false
    for (const pending of [...outbox.splice(0), ...inFlight.splice(0)]) {
      clearTimeout(pending.timer)
      if (!pending.abandoned) pending.reject(new NetmonClientError('ERR_CLIENT_CLOSED', 'the netmon client was closed'))
    }
    events.end()
  }

  const request = <const C extends Command>(command: C, requestOptions: { timeoutMs?: number } = {}): Promise<ReplyTo<C>> =>
    new Promise<Reply>((resolve, reject) => {
      if (closed) return reject(new NetmonClientError('ERR_CLIENT_CLOSED', 'the netmon client was closed'))
      const timeoutMs = requestOptions.timeoutMs ?? requestTimeoutMs
      const pending: Pending = {
        line: `${JSON.stringify(command)}\n`,
        resolve,
        reject,
        abandoned: false,
        timer: setTimeout(() => {
          const queued = outbox.indexOf(pending)
          if (queued >= 0) outbox.splice(queued, 1)
          else pending.abandoned = true
          reject(new NetmonClientError('ERR_REQUEST_TIMEOUT', `no reply to ${command.command} from ${path} within ${timeoutMs} ms`))
        }, timeoutMs),
      }
      if (isOpen) send(pending)
      else outbox.push(pending)
    }) as Promise<ReplyTo<C>>

  if (options.signal?.aborted === true) close()
  else {
    options.signal?.addEventListener('abort', close, { once: true })
    dial()
  }

  return {
    request,
    close,
    get connected() {
      return isOpen
    },
    [Symbol.asyncIterator]: () => events,
  }
}
