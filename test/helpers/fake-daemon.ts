import { createServer, type Server, type Socket } from 'node:net'
import { join } from 'node:path'
import type { Test } from 'tap'
import type { InterfaceReport } from '../../src/schema/protocol.js'
import { tempDir } from './temp-dir.js'

export const TIMESTAMP = '2025-11-20T20:30:45.123456'

/** A protocol-valid interface report; `cidrs` like '10.0.0.5/24'. */
export const report = (name: string, index: number, cidrs: string[], extra: Partial<InterfaceReport> = {}): InterfaceReport => ({
  interface: name,
  index,
  operstate: 'UP',
  ipv4_addresses: cidrs.map((cidr) => {
    const [address = '', prefix = '32'] = cidr.split('/')
    const prefixlen = Number(prefix)
    const value = address.split('.').reduce((sum, part) => sum * 256 + Number(part), 0)
    const network = Math.floor(value / 2 ** (32 - prefixlen)) * 2 ** (32 - prefixlen)
    const text = [24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256).join('.')
    return { address, prefixlen, subnet: `${text}/${prefixlen}`, network_address: text }
  }),
  gateway: null,
  timestamp: TIMESTAMP,
  type: 'ethernet',
  ...extra,
})

export const discoveryLine = (interfaces: InterfaceReport[]): string =>
  `${JSON.stringify({ type: 'network_discovery', data: { interfaces, timestamp: TIMESTAMP } })}\n`
export const changeLine = (data: InterfaceReport): string => `${JSON.stringify({ type: 'network_change', data })}\n`

/** A stand-in daemon on a real Unix socket, for the cases a real one never produces. */
export interface FakeDaemon {
  path: string
  /** Lines received from clients, in order. */
  received: string[]
  /** Called for each new connection (default: send `greeting`). */
  onConnection: (socket: Socket) => void
  /** What each new client is sent first. */
  greeting: string
  /** How a client line is answered (default: the daemon's replies); undefined sends nothing. */
  reply: (line: string) => string | undefined
  sockets: Set<Socket>
  /** Writes raw text to every connected client. */
  broadcast(text: string): void
  /** Resolves when `count` connections have been accepted since the start. */
  waitForConnections(count: number): Promise<void>
  connections: number
  start(): Promise<void>
  /** Closes the listener and every client (a daemon restart's first half). */
  stop(): Promise<void>
}

const defaultReply = (line: string): string => {
  const { command } = JSON.parse(line) as { command?: unknown }
  if (command === 'get_interfaces') return `${JSON.stringify({ success: true, interfaces: [] })}\n`
  return `${JSON.stringify({ success: false, error: `Unknown command: ${String(command)}` })}\n`
}

/** A fake daemon on a socket in its own mkdtemp folder (removed in teardown); not started. */
export const createFakeDaemon = (t: Test): FakeDaemon => {
  const dir = tempDir(t, 'fake')
  let server: Server | undefined
  const waiters: (() => void)[] = []
  const fake: FakeDaemon = {
    path: join(dir, 'netmon.sock'),
    received: [],
    greeting: discoveryLine([]),
    reply: defaultReply,
    sockets: new Set(),
    connections: 0,
    onConnection: (socket) => socket.write(fake.greeting),
    broadcast(text) {
      for (const socket of fake.sockets) socket.write(text)
    },
    waitForConnections: (count) =>
      new Promise((resolve) => {
        const check = (): void => {
          if (fake.connections >= count) resolve()
          else waiters.push(check)
        }
        check()
      }),
    start: () =>
      new Promise((resolve, reject) => {
        server = createServer((socket) => {
          fake.sockets.add(socket)
          fake.connections += 1
          socket.on('error', () => {})
          socket.on('close', () => fake.sockets.delete(socket))
          let pending = ''
          socket.on('data', (chunk: Buffer) => {
            const parts = (pending + chunk.toString('utf8')).split('\n')
            pending = parts.pop() ?? ''
            for (const line of parts) {
              fake.received.push(line)
              const answer = fake.reply(line)
              if (answer !== undefined) socket.write(answer)
            }
          })
          fake.onConnection(socket)
          for (const wake of waiters.splice(0)) wake()
        })
        server.once('error', reject)
        server.listen(fake.path, () => resolve())
      }),
    stop: () =>
      new Promise((resolve) => {
        for (const socket of fake.sockets) socket.destroy()
        if (server === undefined) return resolve()
        server.close(() => resolve())
        server = undefined
      }),
  }
  t.teardown(() => fake.stop())
  return fake
}

/** Reads client events until `match` is true; fails the test after `timeoutMs`. */
export const nextMatching = async <E>(iterator: AsyncIterator<E>, match: (event: E) => boolean, timeoutMs = 5000): Promise<E[]> => {
  const seen: E[] = []
  const giveUp = Date.now() + timeoutMs
  for (;;) {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out; events so far: ${JSON.stringify(seen)}`)), Math.max(1, giveUp - Date.now()))
    })
    const result = await Promise.race([iterator.next(), timeout]).finally(() => clearTimeout(timer))
    if (result.done === true) throw new Error(`iteration ended; events so far: ${JSON.stringify(seen)}`)
    seen.push(result.value)
    if (match(result.value)) return seen
  }
}
