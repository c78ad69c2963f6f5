import { createConnection } from 'node:net'
import { readLines } from '../adapters/read-lines.js'
import type { CliIo } from './io.js'

export interface HealthOptions {
  socket: string
  timeout: number
}

/** What a failed connection to the socket means, worded to say what to check. */
export const describeConnectError = (socketPath: string, error: NodeJS.ErrnoException): string => {
  switch (error.code) {
    case 'ENOENT':
      return `no socket at ${socketPath}: is netmon running?`
    case 'ECONNREFUSED':
      return `nothing answers on ${socketPath} (a stale socket file?)`
    case 'EACCES':
      return `permission denied on ${socketPath}`
    default:
      return `cannot connect to ${socketPath}: ${error.message}`
  }
}

/**
 * Longest first line the probe reads: a discovery of 11k addresses is about 1 MiB, so this
 * leaves room for hosts far larger, while a peer that never ends its line cannot make the
 * probe buffer without end.
 */
export const MAX_DISCOVERY_BYTES = 64 * 1024 * 1024

/** Resolves with undefined when a `network_discovery` arrives in time, else with the reason. */
export const probeDiscovery = (socketPath: string, timeoutMs: number, maxLineBytes = MAX_DISCOVERY_BYTES): Promise<string | undefined> =>
  new Promise((resolve) => {
    const socket = createConnection(socketPath)
    const finish = (reason: string | undefined): void => {
      clearTimeout(timer)
      socket.destroy()
      resolve(reason)
    }
    const timer = setTimeout(() => finish(`no discovery from ${socketPath} within ${timeoutMs} ms`), timeoutMs)
    socket.on('error', (error: NodeJS.ErrnoException) => finish(describeConnectError(socketPath, error)))
    socket.on('close', () => finish(`${socketPath} closed the connection before the discovery`))
    readLines(socket, maxLineBytes, {
      onLine(line) {
        let type: unknown
        try {
          type = (JSON.parse(line) as { type?: unknown }).type
        } catch {
          type = undefined
        }
        finish(type === 'network_discovery' ? undefined : `first line from ${socketPath} is not a network_discovery: ${line.slice(0, 100)}`)
      },
      onOverlong: () => finish(`first line from ${socketPath} is longer than ${maxLineBytes} bytes`),
    })
  })

/** `netmon health`: the container's liveness probe. Exit 0 when the discovery arrives in time. */
export const healthCommand = async (options: HealthOptions, io: CliIo): Promise<number> => {
  const reason = await probeDiscovery(options.socket, options.timeout)
  if (reason === undefined) {
    io.writeOut(`healthy: discovery received from ${options.socket}\n`)
    return 0
  }
  io.writeErr(`unhealthy: ${reason}\n`)
  return 1
}
