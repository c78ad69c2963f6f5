import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { execa } from 'execa'
import type { Teardown } from './teardown.js'
import { waitUntil } from './wait.js'

/** A throw-away network namespace (loopback up, IPv6 off unless asked). */
export interface Namespace {
  name: string
  /** Runs `ip -n <ns> ...args` and returns stdout. */
  ip(...args: string[]): Promise<string>
  /** Runs `ip -n <ns> -batch -` with one command per line: one process for many changes. */
  batch(lines: readonly string[]): Promise<void>
  /** Runs a command inside the namespace and returns stdout. */
  exec(command: string, args: string[]): Promise<string>
  /** A veth pair: `ifname` is the watched end, its peer is named `vp<n>`; both up unless asked. */
  addVeth(ifname: string, options?: { up?: boolean }): Promise<void>
  /** Veth pairs as `addVeth` makes them, in one batch with `extraLines`; all up. */
  addVeths(names: readonly string[], extraLines?: readonly string[]): Promise<void>
  /** Waits until the kernel says operstate UP for every link named (a veth takes up to ~1 s). */
  waitOperUp(names: string | readonly string[], timeoutMs?: number): Promise<void>
  /** Kills by PID whatever runs inside and deletes the namespace, synchronously. */
  destroy(): void
}

const uniqueSuffix = (): string => `${process.pid.toString(36)}${randomBytes(3).toString('hex')}`

/** A name unique to this process and call, for namespaces, sockets and folders. */
export const uniqueName = (label: string): string => `nm-${label}-${uniqueSuffix()}`

let peerCounter = 0

/** Namespaces this process made and has not deleted yet. */
const live = new Set<string>()

const deleteNamespaceSync = (name: string): void => {
  const listed = spawnSync('ip', ['netns', 'pids', name], { encoding: 'utf8' })
  for (const pid of (listed.stdout ?? '').split('\n').filter((line) => /^\d+$/.test(line))) {
    try {
      process.kill(Number(pid), 'SIGKILL')
    } catch {
      // Already gone.
    }
  }
  spawnSync('ip', ['netns', 'del', name], { stdio: 'ignore' })
  live.delete(name)
}

/** Deletes every namespace this process made and still holds; safe in an `exit` handler. */
export const deleteAllNamespacesSync = (): void => {
  for (const name of [...live]) deleteNamespaceSync(name)
}

/**
 * Creates namespace `nm-<label>-<unique>`: loopback up, IPv6 off unless `ipv6`. Throws when
 * it cannot (not root, no iproute2). It stays until `destroy` or `deleteAllNamespacesSync`.
 */
export const openNamespace = async (label: string, options: { ipv6?: boolean } = {}): Promise<Namespace> => {
  const name = uniqueName(label)
  await execa('ip', ['netns', 'add', name])
  live.add(name)
  const ns: Namespace = {
    name,
    ip: async (...args) => (await execa('ip', ['-n', name, ...args])).stdout,
    async batch(lines) {
      await execa('ip', ['-n', name, '-batch', '-'], { input: `${lines.join('\n')}\n` })
    },
    exec: async (command, args) => (await execa('ip', ['netns', 'exec', name, command, ...args])).stdout,
    async addVeth(ifname, { up = true } = {}) {
      if (up) return ns.addVeths([ifname])
      peerCounter += 1
      await ns.ip('link', 'add', `vp${peerCounter}`, 'type', 'veth', 'peer', 'name', ifname)
    },
    async addVeths(names, extraLines = []) {
      const adds: string[] = []
      const ups: string[] = []
      for (const ifname of names) {
        peerCounter += 1
        adds.push(`link add vp${peerCounter} type veth peer name ${ifname}`)
        ups.push(`link set vp${peerCounter} up`, `link set ${ifname} up`)
      }
      await ns.batch([...adds, ...ups, ...extraLines])
      await ns.waitOperUp(names)
    },
    async waitOperUp(names, timeoutMs = 30_000) {
      const wanted = new Set(typeof names === 'string' ? [names] : names)
      let up = 0
      const allUp = async (): Promise<boolean> => {
        const links = JSON.parse(await ns.ip('-json', 'link', 'show')) as { ifname?: string; operstate?: string }[]
        up = links.filter((link) => link.ifname !== undefined && wanted.has(link.ifname) && link.operstate === 'UP').length
        return up === wanted.size
      }
      if (!(await waitUntil(allUp, timeoutMs))) {
        throw new Error(`only ${up} of ${wanted.size} links (${[...wanted].slice(0, 5).join(', ')}) UP in ${name} after ${timeoutMs} ms`)
      }
    },
    destroy: () => deleteNamespaceSync(name),
  }
  try {
    await ns.ip('link', 'set', 'lo', 'up')
    if (options.ipv6 !== true) {
      await ns.exec('sysctl', ['-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1'])
    }
  } catch (error) {
    ns.destroy()
    throw error
  }
  return ns
}

/** Runs `fn` with a fresh namespace and always deletes it. */
export const withNamespace = async <T>(label: string, fn: (ns: Namespace) => Promise<T>): Promise<T> => {
  const ns = await openNamespace(label)
  try {
    return await fn(ns)
  } finally {
    ns.destroy()
  }
}

let exitHooksInstalled = false
/**
 * Last resort when teardown cannot run (tap's timeout sends SIGTERM): delete what is left,
 * synchronously. Tests only: the bench has exit handlers of its own (bench/lib/cleanup.ts).
 */
const installExitHooks = (): void => {
  if (exitHooksInstalled) return
  exitHooksInstalled = true
  process.once('exit', deleteAllNamespacesSync)
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      deleteAllNamespacesSync()
      process.exit(1)
    })
  }
}

/** What `createNamespace` needs of a tap test; tap's `Test` has it. */
export interface NamespaceTest extends Teardown {
  fail(message: string): unknown
  skip(message: string, fn: () => void): unknown
}

/**
 * A namespace for test `t`, deleted in its teardown, also when it fails. Where namespaces
 * cannot be made, CI (CI=true) fails loudly; elsewhere the test is skipped with the reason
 * and this returns undefined.
 */
export const createNamespace = async (t: NamespaceTest, label: string, options: { ipv6?: boolean } = {}): Promise<Namespace | undefined> => {
  installExitHooks()
  let ns: Namespace
  try {
    ns = await openNamespace(label, options)
  } catch (error) {
    const reason = `cannot create a network namespace (needs root and iproute2): ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`
    if (process.env.CI === 'true') {
      t.fail(reason)
      throw new Error(reason)
    }
    t.skip(reason, () => {})
    return undefined
  }
  t.teardown(() => ns.destroy())
  return ns
}
