import { createConnection } from 'node:net'
import split2 from 'split2'
import type { InterfaceReport } from '../core/protocol.js'
import type { CliIo } from './io.js'

export interface WatchOptions {
  socket: string
  json: boolean
}

const describeInterface = (report: InterfaceReport): string => {
  const addresses = report.ipv4_addresses.map((address) => `${address.address}/${address.prefixlen}`).join(',') || '-'
  const status = report.status === undefined ? '' : ` [${report.status}]`
  return `${report.interface}#${report.index} ${report.operstate}${status} ${report.type} ${addresses} gw ${report.gateway ?? '-'}`
}

/** One event line in a form a person reads at a glance; other lines pass through. */
export const readableEvent = (line: string): string => {
  let event: { type?: unknown; data?: unknown }
  try {
    event = JSON.parse(line) as typeof event
  } catch {
    return `? ${line}`
  }
  if (event.type === 'network_discovery') {
    const data = event.data as { interfaces: InterfaceReport[]; timestamp: string }
    const lines = data.interfaces.map((report) => `  ${describeInterface(report)}`)
    return [`${data.timestamp} discovery: ${data.interfaces.length} interface(s)`, ...lines].join('\n')
  }
  if (event.type === 'network_change') {
    const report = event.data as InterfaceReport
    return `${report.timestamp} change ${describeInterface(report)}`
  }
  return line
}

/** `netmon watch`: prints events as they come, and reconnects when the daemon restarts. */
export const watchCommand = (options: WatchOptions, io: CliIo): Promise<number> =>
  new Promise((resolve) => {
    let stopped = false
    let failures = 0
    let current: ReturnType<typeof createConnection> | undefined
    let retry: NodeJS.Timeout | undefined

    const connect = (): void => {
      const socket = createConnection(options.socket)
      current = socket
      socket.on('connect', () => {
        failures = 0
        io.writeErr(`connected to ${options.socket}\n`)
      })
      socket.pipe(split2()).on('data', (line: string) => io.writeOut(`${options.json ? line : readableEvent(line)}\n`))
      socket.on('error', (error: NodeJS.ErrnoException) => {
        if (failures === 0) io.writeErr(`cannot reach ${options.socket} (${error.code ?? error.message}); retrying\n`)
      })
      socket.on('close', () => {
        if (stopped) return
        const delay = Math.min(5000, 100 * 2 ** failures)
        failures += 1
        retry = setTimeout(connect, delay)
      })
    }

    const removeHandler = io.onStopSignal(() => {
      stopped = true
      removeHandler()
      clearTimeout(retry)
      current?.destroy()
      resolve(0)
    })
    connect()
  })
