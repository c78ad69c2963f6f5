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
 * What the watch saw: `subscribed` (final), `timed-out` (not seen within the timeout; the
 * watch goes on), `unreadable` (the table cannot be read: final, nothing left to watch).
 */
export type SubscriptionEvent = 'subscribed' | 'timed-out' | 'unreadable'

export interface SubscriptionWatch {
  clock: Clock
  readTable: NetlinkTableReader
  timeoutMs: number
  /** Ends the watch: abort it when the child is gone or the monitor stops. */
  signal: AbortSignal
}

/** Pauses between reads double up to this before the timeout... */
const EARLY_PAUSE_CAP_MS = 25
/** ...and up to this after it: a late subscription is still seen, at a falling cost. */
export const LATE_PAUSE_CAP_MS = 60_000

/**
 * Watches `/proc/net/netlink` until `pid` holds a subscribed rtnetlink socket. A change made
 * before the subscription is invisible to the monitor, so the first snapshot waits for it.
 * Past `timeoutMs` the caller hears `timed-out` (and reads the state anyway), and the watch
 * goes on with a doubling pause, so that a late subscription still triggers a resync. It
 * stops once the subscription is seen, the table is unreadable, or `signal` aborts (the
 * child is gone): it runs only while a monitor is starting, never once it is subscribed.
 */
export const watchSubscription = (pid: number, { clock, readTable, timeoutMs, signal }: SubscriptionWatch, onEvent: (event: SubscriptionEvent) => void): void => {
  const timeoutAt = clock.now() + timeoutMs
  let timedOut = false
  let pause = 1
  let cancel: (() => void) | undefined
  signal.addEventListener('abort', () => cancel?.(), { once: true })
  const check = (): void => {
    cancel = undefined
    if (signal.aborted) return
    const table = readTable()
    if (table === undefined) return onEvent('unreadable')
    if (isSubscribed(parseNetlinkTable(table), pid)) return onEvent('subscribed')
    if (!timedOut && clock.now() >= timeoutAt) {
      timedOut = true
      onEvent('timed-out')
      if (signal.aborted) return
    }
    pause = Math.min(pause * 2, timedOut ? LATE_PAUSE_CAP_MS : EARLY_PAUSE_CAP_MS)
    cancel = clock.at(clock.now() + pause, check)
  }
  check()
}
