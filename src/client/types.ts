import type { Socket } from 'node:net'
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
