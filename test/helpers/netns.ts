import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { execa } from 'execa'
import type { Test } from 'tap'

/** A network namespace made for one test and deleted with it, also when the test fails. */
export interface TestNamespace {
  name: string
  /** Runs `ip -n <ns> ...args` and returns stdout. */
  ip(...args: string[]): Promise<string>
  /** Runs a command inside the namespace. */
  exec(command: string, args: string[]): Promise<string>
  /** A veth pair: `ifname` is the watched end, its peer gets a derived name; both up. */
  addVeth(ifname: string, options?: { up?: boolean }): Promise<void>
  /** Waits until the kernel says operstate UP (a veth takes up to ~1 s). */
  waitOperUp(ifname: string, timeoutMs?: number): Promise<void>
  destroy(): Promise<void>
}

const uniqueSuffix = (): string => `${process.pid.toString(36)}${randomBytes(3).toString('hex')}`

/** A name unique to this test file and run, for namespaces, sockets and folders. */
export const uniqueName = (label: string): string => `nm-${label}-${uniqueSuffix()}`

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

let peerCounter = 0

/** Namespaces this test process made and has not deleted yet. */
const live = new Set<string>()

/**
 * Last resort when teardown cannot run (tap's timeout sends SIGTERM): kill what runs in
 * each namespace by PID and delete it, synchronously.
 */
const deleteAllNow = (): void => {
  for (const name of live) {
    try {
      const pids = execFileSync('ip', ['netns', 'pids', name], { encoding: 'utf8' }).split('\n').filter((pid) => /^\d+$/.test(pid))
      for (const pid of pids) process.kill(Number(pid), 'SIGKILL')
    } catch {
      // Nothing left to kill.
    }
    execFileSync('ip', ['netns', 'del', name], { stdio: 'ignore' })
  }
  live.clear()
}
let exitHooksInstalled = false
const installExitHooks = (): void => {
  if (exitHooksInstalled) return
  exitHooksInstalled = true
  process.once('exit', deleteAllNow)
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      deleteAllNow()
      process.exit(1)
    })
  }
}

/**
 * Creates a namespace for test `t` (loopback up, IPv6 off unless asked) and deletes it in
 * `t.teardown`, killing by PID whatever still runs inside. Where namespaces cannot be made,
 * CI (CI=true) fails loudly; elsewhere the test is skipped with the reason.
 */
export const createNamespace = async (
  t: Test,
  label: string,
  options: { ipv6?: boolean } = {},
): Promise<TestNamespace | undefined> => {
  const name = uniqueName(label)
  installExitHooks()
  try {
    await execa('ip', ['netns', 'add', name])
    live.add(name)
  } catch (error) {
    const reason = `cannot create a network namespace (needs root and iproute2): ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`
    if (process.env.CI === 'true') {
      t.fail(reason)
      throw new Error(reason)
    }
    t.skip(reason, () => {})
    return undefined
  }
  const ns: TestNamespace = {
    name,
    ip: async (...args) => (await execa('ip', ['-n', name, ...args])).stdout,
    exec: async (command, args) => (await execa('ip', ['netns', 'exec', name, command, ...args])).stdout,
    async addVeth(ifname, { up = true } = {}) {
      peerCounter += 1
      const peer = `vp${peerCounter}${randomBytes(2).toString('hex')}`
      await ns.ip('link', 'add', peer, 'type', 'veth', 'peer', 'name', ifname)
      if (up) {
        await ns.ip('link', 'set', peer, 'up')
        await ns.ip('link', 'set', ifname, 'up')
        await ns.waitOperUp(ifname)
      }
    },
    async waitOperUp(ifname, timeoutMs = 5000) {
      const giveUp = Date.now() + timeoutMs
      for (;;) {
        const [link] = JSON.parse(await ns.ip('-json', 'link', 'show', 'dev', ifname)) as { operstate: string }[]
        if (link?.operstate === 'UP') return
        if (Date.now() > giveUp) throw new Error(`${ifname} in ${name} is not UP after ${timeoutMs} ms`)
        await sleep(20)
      }
    },
    async destroy() {
      const pids = await execa('ip', ['netns', 'pids', name], { reject: false })
      for (const pid of pids.stdout.split('\n').filter((line) => /^\d+$/.test(line))) {
        try {
          process.kill(Number(pid), 'SIGKILL')
        } catch {
          // Already gone.
        }
      }
      await execa('ip', ['netns', 'del', name], { reject: false })
      live.delete(name)
    },
  }
  t.teardown(() => ns.destroy())
  await ns.ip('link', 'set', 'lo', 'up')
  if (options.ipv6 !== true) {
    await ns.exec('sysctl', ['-qw', 'net.ipv6.conf.all.disable_ipv6=1'])
    await ns.exec('sysctl', ['-qw', 'net.ipv6.conf.default.disable_ipv6=1'])
  }
  return ns
}
