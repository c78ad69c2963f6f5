import type { Client } from './client.js'
import type { Namespace } from './netns.js'
import { sleep } from './stats.js'

/**
 * Adds each address to `dev` one by one (`ip addr add <address>/16`) and returns, for every
 * change that reached `client` within `timeoutMs`, the ms from `ip` exiting to the
 * network_change line naming the address. `quietMs` separates the changes.
 */
export const timedAddressChanges = async (
  ns: Namespace,
  client: Client,
  { dev, addresses, timeoutMs, quietMs }: { dev: string; addresses: readonly string[]; timeoutMs: number; quietMs: number },
): Promise<number[]> => {
  const latencies: number[] = []
  for (const address of addresses) {
    const seen = client.waitFor((line) => line.startsWith('{"type":"network_change"') && line.includes(`"address":"${address}"`), timeoutMs, client.received.length)
    const added = await ns.ip('addr', 'add', `${address}/16`, 'dev', dev)
    const hit = await seen
    if (hit !== undefined) latencies.push(hit.at - added.exitedAt)
    await sleep(quietMs)
  }
  return latencies
}
