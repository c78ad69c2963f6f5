import { join } from 'node:path'
import type { Test } from 'tap'
import { startDaemonProcess, type DaemonProcess } from './daemon-process.js'
import { namespaceWithEns37 } from './hosts.js'
import type { Namespace } from './netns.js'
import { connectClient, waitForSocket, type SocketClient } from './socket-client.js'
import { tempDir } from './temp-dir.js'

/** Short windows, so that a test settles in about a second. */
export const DAEMON_ARGS = ['--debounce', '200', '--max-wait', '1000']

/** The real daemon serving a socket in a fresh folder, inside a test namespace. */
export interface Served {
  ns: Namespace
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
  setup: (ns: Namespace) => Promise<void> = async () => {},
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

/**
 * Starts the daemon serving `socket` (plus `args`) and connects a client that has received
 * its discovery; the client is closed in teardown.
 */
export const daemonWithClient = async (
  t: Test,
  ns: Namespace,
  socket: string,
  args: string[] = [],
  nodeFlags: string[] = [],
): Promise<{ daemon: DaemonProcess; client: SocketClient }> => {
  const daemon = startDaemonProcess(t, ns, ['--socket', socket, ...args], nodeFlags)
  await waitForSocket(socket)
  const client = await connectClient(socket)
  t.teardown(() => client.close())
  await client.lines.waitForCount(1, 15_000)
  return { daemon, client }
}
