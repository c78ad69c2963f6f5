import { createConnection, type Socket } from 'node:net'
import { now, sleep } from './stats.js'

/** One line as it arrived: `at` is stamped before any parsing, so parsing costs no latency. */
export interface Received {
  at: number
  line: string
}

type Json = Record<string, unknown>

/** A socket client of the daemon that timestamps every line it receives. */
export class Client {
  readonly received: Received[] = []
  private pending = ''
  private readonly waiters = new Set<() => void>()
  private isClosed = false
  readonly closed: Promise<void>

  private constructor(readonly socket: Socket) {
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => {
      const at = now()
      const parts = (this.pending + chunk).split('\n')
      this.pending = parts.pop() ?? ''
      for (const line of parts) if (line !== '') this.received.push({ at, line })
      for (const wake of [...this.waiters]) wake()
    })
    socket.on('error', () => {})
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.isClosed = true
        for (const wake of [...this.waiters]) wake()
        resolve()
      }),
    )
  }

  /** Connects; a full listen backlog (EAGAIN) is retried, up to `attempts` times. */
  static async connect(path: string, attempts = 50): Promise<Client> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await new Promise<Client>((resolve, reject) => {
          const socket = createConnection(path)
          socket.once('error', reject)
          socket.once('connect', () => {
            socket.off('error', reject)
            resolve(new Client(socket))
          })
        })
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code
        if (attempt >= attempts || (code !== 'EAGAIN' && code !== 'ECONNREFUSED')) throw error
        await sleep(5)
      }
    }
  }

  /** The first line at index >= `from` that satisfies `match`, or undefined after `timeoutMs`. */
  waitFor(match: (line: string) => boolean, timeoutMs: number, from = 0): Promise<Received | undefined> {
    let scanned = from
    const find = (): Received | undefined => {
      for (; scanned < this.received.length; scanned += 1) {
        const entry = this.received[scanned]
        if (entry !== undefined && match(entry.line)) return entry
      }
      return undefined
    }
    return new Promise((resolve) => {
      const found = find()
      if (found !== undefined || this.isClosed) return resolve(found)
      const timer = setTimeout(() => {
        this.waiters.delete(wake)
        resolve(undefined)
      }, timeoutMs)
      const wake = (): void => {
        const hit = find()
        if (hit === undefined && !this.isClosed) return
        clearTimeout(timer)
        this.waiters.delete(wake)
        resolve(hit)
      }
      this.waiters.add(wake)
    })
  }

  waitForDiscovery(timeoutMs: number): Promise<Received | undefined> {
    return this.waitFor((line) => line.startsWith('{"type":"network_discovery"'), timeoutMs)
  }

  /** Sends a command and resolves with the reply (the next line without `type`). */
  async command(command: string, timeoutMs = 5000): Promise<Json> {
    const from = this.received.length
    this.socket.write(`${JSON.stringify({ command })}\n`)
    const reply = await this.waitFor((line) => !line.startsWith('{"type":'), timeoutMs, from)
    if (reply === undefined) throw new Error(`no reply to ${command} within ${timeoutMs} ms`)
    return JSON.parse(reply.line) as Json
  }

  /** Lines that are network_change events, parsed. */
  changes(from = 0): { at: number; data: Json }[] {
    return this.received
      .slice(from)
      .filter((entry) => entry.line.startsWith('{"type":"network_change"'))
      .map((entry) => ({ at: entry.at, data: (JSON.parse(entry.line) as { data: Json }).data }))
  }

  close(): void {
    this.socket.destroy()
  }
}

/** The daemon's `get_status` figures the bench uses. */
export interface DaemonStatusFigures {
  snapshotsTaken: number
  eventsEmitted: number
  pendingInterfaces: number
  overruns: number
  monitorPid: number | null
  resyncs: number
}

export const statusOf = async (client: Client): Promise<DaemonStatusFigures> => {
  const reply = await client.command('get_status')
  const status = (reply.status ?? {}) as Json
  const monitor = (status.monitor ?? {}) as Json
  const num = (value: unknown): number => (typeof value === 'number' ? value : 0)
  return {
    snapshotsTaken: num(status.snapshots_taken),
    eventsEmitted: num(status.events_emitted),
    pendingInterfaces: num(status.pending_interfaces),
    overruns: num(monitor.overruns),
    monitorPid: typeof monitor.pid === 'number' ? monitor.pid : null,
    resyncs: num(status.resyncs),
  }
}
