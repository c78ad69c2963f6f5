import { createConnection, type Socket } from 'node:net'
import { collectLines, type LineCollector } from './lines.js'

/** A real node:net client of the daemon's socket. */
export interface SocketClient {
  socket: Socket
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

/** Waits until `path` accepts connections (the daemon is listening). */
export const waitForSocket = async (path: string, timeoutMs = 10_000): Promise<void> => {
  const giveUp = Date.now() + timeoutMs
  for (;;) {
    try {
      const client = await connectClient(path)
      client.close()
      return
    } catch (error) {
      if (Date.now() > giveUp) throw error
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
  }
}
