import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { RawSnapshot } from '../core/parse-snapshot.js'
import { runIpJson } from './ip-command.js'

export interface SnapshotReaderOptions {
  ipPath: string
  /** A snapshot command that takes longer is killed and the read fails (and is retried). */
  timeoutMs: number
  /** Where the link folders live; tests point it elsewhere. */
  sysfsNet: string
}

export type SnapshotReader = () => Promise<RawSnapshot>

/** `ifindex:ifname` of every link: a link re-created under the same name gets a new key. */
const linkKeys = (addr: unknown): { key: string; name: string }[] =>
  Array.isArray(addr)
    ? addr.flatMap((link: unknown) =>
        typeof link === 'object' && link !== null && 'ifname' in link && typeof link.ifname === 'string'
          ? [{ key: `${'ifindex' in link ? String(link.ifindex) : '?'}:${link.ifname}`, name: link.ifname }]
          : [],
      )
    : []

/** Names of links that sysfs marks wireless (`wireless` or `phy80211` in their folder). */
export const wirelessLinks = (names: readonly string[], sysfsNet: string): string[] =>
  names.filter((name) => existsSync(join(sysfsNet, name, 'wireless')) || existsSync(join(sysfsNet, name, 'phy80211')))

/**
 * Only default routes matter (the view's gateway), so only they are read: `default` makes
 * `ip` keep routes of prefix length 0. The kernel cannot filter a route dump by
 * destination (it filters by table, which `table main` asks for, protocol, type and output
 * device), so it still walks the table and `ip` drops the rest, in C, without JSON: measured
 * in a namespace, a snapshot of 1M routes costs netmon the same as one of none (figures in
 * the README), where dumping the whole table as JSON timed out.
 */
export const ROUTE_ARGS = ['-4', '-json', 'route', 'show', 'table', 'main', 'default'] as const

/**
 * Reads addresses and main-table IPv4 default routes in parallel: the truth the core reports from.
 * Whether a link is wireless does not change while it exists, so sysfs is asked once per
 * link, not on every snapshot (500 links cost 1,000 stat calls a snapshot otherwise).
 */
export const createSnapshotReader = ({ ipPath, timeoutMs, sysfsNet }: SnapshotReaderOptions): SnapshotReader => {
  let known = new Map<string, boolean>()
  const wireless = (links: { key: string; name: string }[]): string[] => {
    const next = new Map<string, boolean>()
    for (const { key, name } of links) next.set(key, known.get(key) ?? wirelessLinks([name], sysfsNet).length > 0)
    known = next
    return links.filter(({ key }) => next.get(key) === true).map(({ name }) => name)
  }
  return async () => {
    const [addr, route] = await Promise.all([
      runIpJson(ipPath, ['-json', 'addr', 'show'], timeoutMs),
      runIpJson(ipPath, ROUTE_ARGS, timeoutMs),
    ])
    return { addr, route, wireless: wireless(linkKeys(addr)) }
  }
}
