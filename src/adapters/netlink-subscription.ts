import { readFileSync } from 'node:fs'
import { isSubscribed, parseNetlinkTable } from '../core/netlink-table.js'
import type { Clock } from './clock.js'

export type NetlinkTableReader = () => string | undefined

/** `/proc/net/netlink` of this process's network namespace, or undefined where it cannot be read. */
export const readProcNetlink: NetlinkTableReader = () => {
  try {
    return readFileSync('/proc/net/netlink', 'utf8')
  } catch {
    return undefined
  }
}

/**
 * Resolves true once `pid` holds a subscribed rtnetlink socket, false if that was not seen
 * within `timeoutMs` (or the table is unreadable). Polls only while a monitor starts; a
 * change made before the subscription would be invisible to it, so the first snapshot
 * must wait for this.
 */
export const waitForSubscription = async (
  pid: number,
  clock: Clock,
  readTable: NetlinkTableReader,
  timeoutMs: number,
  isAlive: () => boolean,
): Promise<boolean> => {
  const giveUpAt = clock.now() + timeoutMs
  for (let pause = 1; isAlive(); pause = Math.min(pause * 2, 25)) {
    const table = readTable()
    if (table === undefined) return false
    if (isSubscribed(parseNetlinkTable(table), pid)) return true
    if (clock.now() >= giveUpAt) return false
    await new Promise<void>((resolve) => clock.at(clock.now() + pause, resolve))
  }
  return false
}
