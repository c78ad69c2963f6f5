import { createConnection, type Socket } from 'node:net'
import { collectLines, type LineCollector } from './lines.js'
import { eventually } from './wait.js'

/** A real node:net client of the daemon's socket. */
export interface SocketClient {
  socket: Socket
  /** Every line received, with its arrival time. */
  lines: LineCollector
  send(message: unknown): void
  sendRaw(text: string): void
  closed: Promise<void>
  /** Resolves when the daemon has closed the connection; rejects after `timeoutMs`. */
  closedWithin(timeoutMs?: number): Promise<void>
  close(): void
}

export const connectClient = (path: string): Promise<SocketClient> =>
  new Promise((resolve, reject) => {
    const socket = createConnection(path)
    const closed = new Promise<void>((done) => socket.once('close', () => done()))
    socket.once('error', reject)
    socket.once('connect', () => {
      socket.off('error', reject)
      socket.on('error', () => {})
      resolve({
        socket,
        lines: collectLines(socket),
        send: (message) => socket.write(`${JSON.stringify(message)}\n`),
        sendRaw: (text) => socket.write(text),
        closed,
        closedWithin: (timeoutMs = 10_000) =>
          new Promise<void>((done, fail) => {
            const timer = setTimeout(() => fail(new Error(`${path} did not close the connection within ${timeoutMs} ms`)), timeoutMs)
            void closed.then(() => {
              clearTimeout(timer)
              done()
            })
          }),
        close: () => socket.destroy(),
      })
    })
  })

/** A socket that is there but cannot take a connection now: its listen backlog is full, or nobody listens yet. */
const isBusy = (error: unknown): boolean => ['EAGAIN', 'ECONNREFUSED'].includes((error as NodeJS.ErrnoException).code ?? '')

/** Connects, trying again 5 ms later while the socket is busy, up to `attempts` times (many clients at once). */
export const connectWhenFree = (path: string, attempts = 50): Promise<SocketClient> =>
  eventually(() => connectClient(path), Number.POSITIVE_INFINITY, { everyMs: 5, attempts, retryIf: isBusy })

/** Waits until `path` accepts connections (the daemon is listening). */
export const waitForSocket = async (path: string, timeoutMs = 30_000): Promise<void> => {
  const client = await eventually(() => connectClient(path), timeoutMs, { everyMs: 25 })
  client.close()
}

export const parseLine = (line: string | undefined): Record<string, unknown> => JSON.parse(line ?? 'null') as Record<string, unknown>

/** Sends one command and returns the next line after those already seen. */
export const ask = async (client: SocketClient, command: unknown, timeoutMs = 10_000): Promise<Record<string, unknown>> => {
  const seen = client.lines.lines.length
  client.send(command)
  return parseLine((await client.lines.waitForCount(seen + 1, timeoutMs))[seen])
}

/** The event lines (discovery and changes) a client has received, without command replies. */
export const eventLines = (client: SocketClient): string[] => client.lines.lines.filter((line) => line.startsWith('{"type"'))
