import { join } from 'node:path'
import type { Test } from 'tap'
import { startDaemonProcess, type DaemonProcess } from './daemon-process.js'
import type { TestNamespace } from './netns.js'
import { namespaceWithEns37 } from './one-interface.js'
import { connectClient, waitForSocket, type SocketClient } from './socket-client.js'
import { tempDir } from './temp-dir.js'

export const parseLine = (line: string | undefined): Record<string, unknown> => JSON.parse(line ?? 'null') as Record<string, unknown>

/** The real daemon serving a socket in a fresh folder, inside a test namespace. */
export interface Served {
  ns: TestNamespace
  socket: string
  daemon: DaemonProcess
  /** A client of the socket, closed in teardown. */
  connect(): Promise<SocketClient>
}

/**
 * A namespace with ens37 (10.77.0.5/24; `setup` may add more before the daemon starts) and
 * the daemon serving `<fresh folder>/sub/netmon.sock`. Undefined when namespaces are
 * unavailable outside CI (the test is skipped).
 */
export const served = async (
  t: Test,
  label: string,
  args: string[] = [],
  setup: (ns: TestNamespace) => Promise<void> = async () => {},
): Promise<Served | undefined> => {
  const ns = await namespaceWithEns37(t, label)
  if (ns === undefined) return undefined
  await setup(ns)
  const socket = join(tempDir(t, label), 'sub', 'netmon.sock')
  const daemon = startDaemonProcess(t, ns, ['--socket', socket, '--debounce', '200', ...args])
  await waitForSocket(socket, 30_000)
  const clients: SocketClient[] = []
  t.teardown(() => clients.forEach((client) => client.close()))
  const connect = async (): Promise<SocketClient> => {
    const client = await connectClient(socket)
    clients.push(client)
    return client
  }
  return { ns, socket, daemon, connect }
}

/** Sends one command and returns the next line after those already seen. */
export const ask = async (client: SocketClient, command: unknown, timeoutMs = 10_000): Promise<Record<string, unknown>> => {
  const seen = client.lines.lines.length
  client.send(command)
  return parseLine((await client.lines.waitForCount(seen + 1, timeoutMs))[seen])
}
