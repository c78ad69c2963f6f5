import { randomBytes } from 'node:crypto'
import { deleteNamespaceSync, trackNamespace } from './cleanup.js'
import { run, type RunResult } from './run.js'
import { sleep } from './stats.js'

/** A throw-away network namespace (loopback up, IPv6 off), deleted by `destroy` or cleanup. */
export interface Namespace {
  name: string
  /** `ip -n <ns> ...args`. */
  ip(...args: string[]): Promise<RunResult>
  /** `ip -n <ns> -batch -` with one command per line. */
  batch(lines: readonly string[]): Promise<RunResult>
  /** Veth pairs: each watched end gets the given name, its peer `vp<n>`; both up. */
  addVeths(names: readonly string[], extraLines?: readonly string[]): Promise<void>
  waitOperUp(names: readonly string[], timeoutMs?: number): Promise<void>
  destroy(): void
}

let peers = 0

export const createNamespace = async (label: string): Promise<Namespace> => {
  const name = `nm-bench-${label}-${process.pid.toString(36)}${randomBytes(2).toString('hex')}`
  await run('ip', ['netns', 'add', name])
  trackNamespace(name)
  const ns: Namespace = {
    name,
    ip: (...args) => run('ip', ['-n', name, ...args]),
    batch: (lines) => run('ip', ['-n', name, '-batch', '-'], { input: `${lines.join('\n')}\n` }),
    async addVeths(names, extraLines = []) {
      const lines: string[] = []
      const ups: string[] = []
      for (const ifname of names) {
        peers += 1
        lines.push(`link add vp${peers} type veth peer name ${ifname}`)
        ups.push(`link set vp${peers} up`, `link set ${ifname} up`)
      }
      await ns.batch([...lines, ...ups, ...extraLines])
      await ns.waitOperUp(names)
    },
    async waitOperUp(names, timeoutMs = 30_000) {
      const giveUp = Date.now() + timeoutMs
      const wanted = new Set(names)
      for (;;) {
        const links = JSON.parse((await ns.ip('-json', 'link', 'show')).stdout) as { ifname?: string; operstate?: string }[]
        const up = links.filter((link) => link.ifname !== undefined && wanted.has(link.ifname) && link.operstate === 'UP')
        if (up.length === wanted.size) return
        if (Date.now() > giveUp) throw new Error(`only ${up.length} of ${wanted.size} links UP in ${name} after ${timeoutMs} ms`)
        await sleep(50)
      }
    },
    destroy: () => deleteNamespaceSync(name),
  }
  await ns.ip('link', 'set', 'lo', 'up')
  await run('ip', ['netns', 'exec', name, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1'])
  return ns
}

/** Runs `fn` with a fresh namespace and always deletes it. */
export const withNamespace = async <T>(label: string, fn: (ns: Namespace) => Promise<T>): Promise<T> => {
  const ns = await createNamespace(label)
  try {
    return await fn(ns)
  } finally {
    ns.destroy()
  }
}
