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

const linkNames = (addr: unknown): string[] =>
  Array.isArray(addr)
    ? addr.flatMap((link: unknown) =>
        typeof link === 'object' && link !== null && 'ifname' in link && typeof link.ifname === 'string' ? [link.ifname] : [],
      )
    : []

/** Names of links that sysfs marks wireless (`wireless` or `phy80211` in their folder). */
export const wirelessLinks = (names: readonly string[], sysfsNet: string): string[] =>
  names.filter((name) => existsSync(join(sysfsNet, name, 'wireless')) || existsSync(join(sysfsNet, name, 'phy80211')))

/** Reads addresses and main-table IPv4 routes in parallel: the truth the core reports from. */
export const createSnapshotReader =
  ({ ipPath, timeoutMs, sysfsNet }: SnapshotReaderOptions): SnapshotReader =>
  async () => {
    const [addr, route] = await Promise.all([
      runIpJson(ipPath, ['-json', 'addr', 'show'], timeoutMs),
      runIpJson(ipPath, ['-4', '-json', 'route', 'show', 'table', 'main'], timeoutMs),
    ])
    return { addr, route, wireless: wirelessLinks(linkNames(addr), sysfsNet) }
  }
