import type { Test } from 'tap'
import type { Namespace } from './netns.js'
import { foldEvents, kernelView } from './oracle.js'
import { assertProtocolLines } from './protocol-schema.js'
import { eventLines, type SocketClient } from './socket-client.js'
import { getStatus } from './status.js'
import { sleep, waitUntil } from './wait.js'

/** Quiet: over `ms`, the kernel did not change, the client heard nothing new, and the daemon has nothing pending. */
const quietOver = async (ns: Namespace, client: SocketClient, ms: number): Promise<boolean> => {
  const before = { kernel: JSON.stringify(await kernelView(ns)), events: eventLines(client).length }
  await sleep(ms)
  const kernel = JSON.stringify(await kernelView(ns))
  const quiet = eventLines(client).length === before.events && kernel === before.kernel
  return quiet && (await getStatus(client)).pending_interfaces === 0
}

/**
 * Waits (up to 30 s) until the kernel is stable, the daemon has nothing pending and the
 * client heard nothing new for 1.5 s; then the client's folded view must equal the kernel's.
 */
export const expectSettled = async (t: Test, ns: Namespace, client: SocketClient, label: string): Promise<void> => {
  await waitUntil(() => quietOver(ns, client, 1500), 30_000, 0)
  t.same(foldEvents(eventLines(client)), await kernelView(ns), `${label}: the client's view equals the kernel's`)
  assertProtocolLines(t, client.lines.lines)
}
