import type { Test } from 'tap'
import { startDaemonProcess, type DaemonProcess } from './daemon-process.js'
import { join } from 'node:path'
import { writeIpScript } from './fake-ip.js'
import { createNamespace, type TestNamespace } from './netns.js'
import { tempDir } from './temp-dir.js'
import { foldEvents, kernelView } from './oracle.js'
import { assertProtocolLines } from './protocol-schema.js'
import { connectClient, waitForSocket, type SocketClient } from './socket-client.js'
import { sleep } from './watched-namespace.js'

export const INTERFACES = ['ens1', 'ens2', 'ens3', 'ens4']
export const DAEMON_ARGS = ['--debounce', '200', '--max-wait', '1000']



export const status = async (client: SocketClient): Promise<Record<string, unknown> & { monitor: { pid: number } }> => {
  const seen = client.lines.lines.length
  client.send({ command: 'get_status' })
  const reply = await client.lines.waitFor((line) => line.startsWith('{"success"'), 10_000, seen)
  return (JSON.parse(reply) as { status: Record<string, unknown> & { monitor: { pid: number } } }).status
}

export const eventLines = (client: SocketClient): string[] => client.lines.lines.filter((line) => line.startsWith('{"type"'))

/**
 * Waits until the kernel is stable, the daemon has nothing pending and the client heard
 * nothing new for a while; then the client's folded view must equal the kernel's.
 */
export const expectSettled = async (t: Test, ns: TestNamespace, client: SocketClient, label: string): Promise<void> => {
  const giveUp = Date.now() + 30_000
  for (;;) {
    const before = { kernel: JSON.stringify(await kernelView(ns)), events: eventLines(client).length }
    await sleep(1500)
    const kernel = await kernelView(ns)
    const quiet = eventLines(client).length === before.events && JSON.stringify(kernel) === before.kernel
    if ((quiet && (await status(client)).pending_interfaces === 0) || Date.now() > giveUp) {
      t.same(foldEvents(eventLines(client)), kernel, `${label}: the client's view equals the kernel's`)
      assertProtocolLines(t, client.lines.lines)
      return
    }
  }
}

/**
 * A namespace whose INTERFACES are UP with 10.77.<position>.5/24 each. Undefined when
 * namespaces are unavailable outside CI (the test is skipped).
 */
export const namespaceWithInterfaces = async (t: Test, label: string): Promise<TestNamespace | undefined> => {
  const ns = await createNamespace(t, label)
  if (ns === undefined) return undefined
  for (const [position, name] of INTERFACES.entries()) {
    await ns.addVeth(name)
    await ns.ip('addr', 'add', `10.77.${position}.5/24`, 'dev', name)
  }
  return ns
}

/** An `ip` wrapper script for --ip, written by `body(dir)` into a fresh folder that also holds the socket. */
export const ipWrapper = (t: Test, label: string, body: (dir: string) => string): { wrapper: string; socket: string } => {
  const dir = tempDir(t, label)
  return { wrapper: writeIpScript(dir, body(dir)), socket: join(dir, 'netmon.sock') }
}


/**
 * Starts the daemon serving `socket` (plus `args`) and connects a client that has received
 * its discovery; the client is closed in teardown.
 */
export const daemonWithClient = async (
  t: Test,
  ns: TestNamespace,
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
