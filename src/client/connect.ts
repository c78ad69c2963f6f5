import { createConnection, type Socket } from 'node:net'
import { backoffDelay } from '../core/backoff.js'
import { createBoundedLines, type BoundedLines } from '../core/bounded-lines.js'
import { unreachable } from '../core/result.js'
import type { Command, Reply } from '../schema/protocol.js'
import { createAsyncQueue } from './async-queue.js'
import { NetmonClientError } from './errors.js'
import { parseLine } from './parse-line.js'
import { answerOldest, rejectAll, type Pending } from './requests.js'
import { DEFAULT_SOCKET_PATH, type ClientEvent, type ConnectOptions, type NetmonClient, type ReplyTo } from './types.js'

// Where these were defined before types.ts: src/cli/watch-command.ts imports them from here.
export { DEFAULT_SOCKET_PATH, type ClientEvent, type ConnectOptions, type NetmonClient, type ReplyTo } from './types.js'


/** One socket and what belongs to it alone. */
interface Link {
  socket: Socket
  lines: BoundedLines
  /** Requests written to this socket, oldest first: replies come in command order. */
  inFlight: Pending[]
  /** Why it ended, for `disconnected` and `retrying`. */
  reason: string
}

/*
 * The client is one state machine, and `state` is its only lifecycle variable:
 *
 *            start
 *              │
 *              v          'connect'            'close', or we hang up
 *   ┌──────> dialing ─────────────────> open ─────────────────────────┐
 *   │          │ 'close' (ENOENT, ECONNREFUSED...)                    │
 *   │          v                                                      │
 *   └──────  waiting  <───────────────────────────────────────────────┘
 *     timer  (backoff)
 *
 *   dialing | open | waiting ──lifetime aborted──> closed (final)
 *
 * The lifetime is an AbortController: close(), a `break` out of `for await` and the caller's
 * `signal` abort it, and its one 'abort' listener is the transition to `closed` (destroy the
 * socket or clear the timer, reject what waits, end the iteration). A socket's events act
 * only while that socket is the current state's link, so the 'close' of a socket we
 * destroyed or hung up on is simply not current any more: no flag is checked anywhere.
 * The backoff resets only when a discovery arrives, so a daemon that accepts and drops
 * connections in a loop is retried at the capped rate, not in a tight loop.
 */
type State =
  | { kind: 'dialing'; link: Link }
  | { kind: 'open'; link: Link }
  | { kind: 'waiting'; timer: NodeJS.Timeout }
  | { kind: 'closed' }

const closedError = (): NetmonClientError => new NetmonClientError('ERR_CLIENT_CLOSED', 'the netmon client was closed')

/** Connects to the netmon socket, waiting for it to appear and reconnecting when it goes away. */
export const connect = (options: ConnectOptions = {}): NetmonClient => {
  const path = options.socket ?? DEFAULT_SOCKET_PATH
  const backoff = { initialMs: options.backoff?.initialMs ?? 100, maxMs: options.backoff?.maxMs ?? 5000 }
  const requestTimeoutMs = options.requestTimeoutMs ?? 5000
  const maxLineBytes = options.maxLineBytes ?? 16 * 1024 * 1024
  const maxQueuedEvents = options.maxQueuedEvents ?? 10_000
  const open = options.createConnection ?? ((socketPath: string) => createConnection(socketPath))

  const lifetime = new AbortController()
  const close = (): void => lifetime.abort()
  const events = createAsyncQueue<ClientEvent>(close)
  /** Requests made while no connection is open: written when one opens. */
  const outbox: Pending[] = []
  let failures = 0
  let discoveries = 0
  let state: State = { kind: 'closed' }

  const isCurrent = (link: Link): boolean => (state.kind === 'dialing' || state.kind === 'open') && state.link === link

  const send = (link: Link, pending: Pending): void => {
    link.inFlight.push(pending)
    link.socket.write(pending.line)
  }

  const onLine = (link: Link, line: string): void => {
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
        if (parsed.badReply === true) answerOldest(link.inFlight, undefined, parsed.reason)
        return
      case 'reply':
        if (!answerOldest(link.inFlight, parsed.reply, '')) {
          const detail = parsed.reply.success ? '' : `: ${parsed.reply.error}`
          events.push({ kind: 'malformed', line, reason: `a reply with no request waiting${detail}` })
        }
        return
      /* c8 ignore next 2 -- the compiler proves every kind is handled */
      default:
        unreachable(parsed)
    }
  }

  /** start | waiting -> dialing: a new socket, its events wired to the transitions below. */
  const dial = (): void => {
    const link: Link = { socket: open(path), lines: createBoundedLines(maxLineBytes), inFlight: [], reason: 'closed by the daemon' }
    state = { kind: 'dialing', link }
    link.socket.on('connect', () => opened(link))
    link.socket.on('data', (chunk: Buffer) => received(link, chunk))
    link.socket.on('error', (error: NodeJS.ErrnoException) => {
      link.reason = error.code ?? error.message
    })
    link.socket.on('close', () => {
      if (!isCurrent(link)) return
      const tail = link.lines.rest().trim()
      if (tail !== '') events.push({ kind: 'malformed', line: tail, reason: 'connection closed mid-line' })
      lost(link)
    })
  }

  /** dialing -> open: announce it and write the requests that waited for it. */
  const opened = (link: Link): void => {
    if (state.kind !== 'dialing' || state.link !== link) return
    state = { kind: 'open', link }
    events.push({ kind: 'connected', socket: path })
    for (const pending of outbox.splice(0)) send(link, pending)
  }

  /** dialing | open -> waiting: the link is gone; its requests fail, the next dial is timed. */
  const lost = (link: Link): void => {
    const wasOpen = state.kind === 'open'
    rejectAll(link.inFlight, () => new NetmonClientError('ERR_DISCONNECTED', `${path} closed before replying; retry the request`))
    if (wasOpen) events.push({ kind: 'disconnected', reason: link.reason })
    const delayMs = backoffDelay(failures, backoff)
    failures += 1
    events.push({ kind: 'retrying', error: link.reason, attempt: failures, delayMs })
    state = { kind: 'waiting', timer: setTimeout(dial, delayMs) }
  }

  /** open -> waiting on our side: the link stops being current before its socket closes. */
  const hangUp = (link: Link, reason: string): void => {
    link.reason = reason
    lost(link)
    link.socket.destroy()
  }

  const received = (link: Link, chunk: Buffer): void => {
    link.lines.push(chunk)
    for (let next = link.lines.peek(); next !== undefined && isCurrent(link); next = link.lines.peek()) {
      if (next === 'too-long') {
        events.push({ kind: 'malformed', line: '', reason: `a line longer than ${maxLineBytes} bytes; reconnecting` })
        return hangUp(link, 'line too long')
      }
      const line = link.lines.take().trim()
      if (line === '') continue
      onLine(link, line)
      if (events.buffered() > maxQueuedEvents) {
        events.dropBuffered()
        hangUp(link, `the consumer fell behind: more than ${maxQueuedEvents} events unread, dropped; the next discovery has them all`)
      }
    }
  }

  /** any -> closed, once: the lifetime's only 'abort' listener. */
  const finish = (): void => {
    const last = state
    state = { kind: 'closed' }
    options.signal?.removeEventListener('abort', close)
    switch (last.kind) {
      case 'dialing':
      case 'open':
        last.link.socket.destroy()
        rejectAll(last.link.inFlight, closedError)
        break
      case 'waiting':
        clearTimeout(last.timer)
        break
      case 'closed':
        break
      /* c8 ignore next 2 -- the compiler proves every state is handled */
      default:
        unreachable(last)
    }
    rejectAll(outbox, closedError)
    events.end()
  }

  /** A request that outlived its timeout: dropped if unsent, otherwise its reply is swallowed. */
  const expire = (pending: Pending, error: NetmonClientError): void => {
    const queued = outbox.indexOf(pending)
    if (queued >= 0) outbox.splice(queued, 1)
    else pending.abandoned = true
    pending.reject(error)
  }

  const request = <const C extends Command>(command: C, requestOptions: { timeoutMs?: number } = {}): Promise<ReplyTo<C>> =>
    new Promise<Reply>((resolve, reject) => {
      if (state.kind === 'closed') return reject(closedError())
      const timeoutMs = requestOptions.timeoutMs ?? requestTimeoutMs
      const timedOut = (): void =>
        expire(pending, new NetmonClientError('ERR_REQUEST_TIMEOUT', `no reply to ${command.command} from ${path} within ${timeoutMs} ms`))
      const pending: Pending = { line: `${JSON.stringify(command)}\n`, resolve, reject, abandoned: false, timer: setTimeout(timedOut, timeoutMs) }
      if (state.kind === 'open') send(state.link, pending)
      else outbox.push(pending)
    }) as Promise<ReplyTo<C>>

  lifetime.signal.addEventListener('abort', finish, { once: true })
  if (options.signal?.aborted === true) close()
  else {
    options.signal?.addEventListener('abort', close, { once: true })
    dial()
  }

  return {
    request,
    close,
    get connected() {
      return state.kind === 'open'
    },
    [Symbol.asyncIterator]: () => events,
  }
}
