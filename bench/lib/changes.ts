import type { Namespace } from '../../test/helpers/netns.js'
import type { SocketClient } from '../../test/helpers/socket-client.js'
import { sleep } from '../../test/helpers/wait.js'
import { clientArrival } from './arrivals.js'
import { timedIp } from './run.js'

/**
 * Adds each address to `dev` one by one (`ip addr add <address>/16`) and returns, for every
 * change that reached `client` within `timeoutMs`, the ms from `ip` exiting to the
 * network_change line naming the address. `quietMs` separates the changes.
 */
export const timedAddressChanges = async (
  ns: Namespace,
  client: SocketClient,
  { dev, addresses, timeoutMs, quietMs }: { dev: string; addresses: readonly string[]; timeoutMs: number; quietMs: number },
): Promise<number[]> => {
  const latencies: number[] = []
  for (const address of addresses) {
    const seen = clientArrival(client, (line) => line.startsWith('{"type":"network_change"') && line.includes(`"address":"${address}"`), timeoutMs, client.lines.lines.length)
    const added = await timedIp(ns, 'addr', 'add', `${address}/16`, 'dev', dev)
    const hit = await seen
    if (hit !== undefined) latencies.push(hit.at - added.exitedAt)
    await sleep(quietMs)
  }
  return latencies
}
