import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { trackPid, untrackPid } from './cleanup.js'
import { Client } from './client.js'
import type { Namespace } from './netns.js'
import { now } from './stats.js'

/** The daemon under test; BENCH_NETMON_BIN points at another build (e.g. a prototype fix) for A/B runs. */
export const NETMON_BIN = process.env.BENCH_NETMON_BIN ?? fileURLToPath(new URL('../../../bin/netmon.js', import.meta.url))

/** The real daemon (`node bin/netmon.js`) under `ip netns exec`, which execs: its pid is the node pid. */
export interface DaemonHandle {
  pid: number
  socketPath: string
  /** now() at spawn. */
  spawnedAt: number
  /** now() when stderr said "listening" (the socket is bound and chmod'ed). */
  listening: Promise<number>
  stderrTail: string[]
  /** The last line of ./heap-hook.js (kept apart: the tail scrolls fast under load). */
  lastHeapLine: string | undefined
  /** Connects a client and waits for its discovery (rejects after `timeoutMs`). */
  connect(timeoutMs?: number): Promise<Client>
  stop(): Promise<void>
}

/** Extra node flags for the daemon (e.g. --cpu-prof) from BENCH_NODE_FLAGS, space-separated. */
const nodeFlags = (): string[] => (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter((flag) => flag !== '')

/**
 * `extraNodeFlags` go before the script, after BENCH_NODE_FLAGS: e.g. the node flags of
 * bin/netmon.js, or a measuring hook (./heap-hook.ts).
 */
export const startDaemon = (ns: Namespace, args: readonly string[], extraNodeFlags: readonly string[] = []): DaemonHandle => {
  const dir = mkdtempSync(join(tmpdir(), 'nmb-'))
  const socketPath = join(dir, 'netmon.sock')
  const spawnedAt = now()
  const child = spawn('ip', ['netns', 'exec', ns.name, process.execPath, ...nodeFlags(), ...extraNodeFlags, NETMON_BIN, '--socket', socketPath, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  if (child.pid === undefined) throw new Error('could not spawn the daemon')
  const pid = child.pid
  trackPid(pid)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const stderrTail: string[] = []
  let resolveListening: (at: number) => void = () => {}
  let rejectListening: (error: Error) => void = () => {}
  const listening = new Promise<number>((resolve, reject) => {
    resolveListening = resolve
    rejectListening = reject
  })
  listening.catch(() => {}) // Observed by whoever awaits it; never an unhandled rejection.
  let partial = ''
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (chunk: string) => {
    const at = now()
    const lines = (partial + chunk).split('\n')
    partial = lines.pop() ?? ''
    for (const line of lines) {
      if (line.includes('"msg":"listening"')) resolveListening(at)
      if (line.startsWith('{"benchHeap"')) handle.lastHeapLine = line
      stderrTail.push(line)
      if (stderrTail.length > 50) stderrTail.shift()
    }
  })
  child.once('exit', (code, signal) =>
    rejectListening(new Error(`daemon exited (${String(code ?? signal)}) before listening:\n${stderrTail.join('\n')}`)),
  )
  const handle: DaemonHandle = {
    pid,
    socketPath,
    spawnedAt,
    listening,
    stderrTail,
    lastHeapLine: undefined,
    async connect(timeoutMs = 15_000) {
      await listening
      const client = await Client.connect(socketPath)
      if ((await client.waitForDiscovery(timeoutMs)) === undefined) {
        client.close()
        throw new Error(`no discovery within ${timeoutMs} ms:\n${stderrTail.join('\n')}`)
      }
      return client
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM')
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000)
        await exited
        clearTimeout(timer)
      }
      untrackPid(pid)
      rmSync(dir, { recursive: true, force: true })
    },
  }
  return handle
}

/** Starts a daemon, runs `fn`, always stops it. */
export const withDaemon = async <T>(
  ns: Namespace,
  args: readonly string[],
  fn: (daemon: DaemonHandle) => Promise<T>,
  extraNodeFlags: readonly string[] = [],
): Promise<T> => {
  const daemon = startDaemon(ns, args, extraNodeFlags)
  try {
    return await fn(daemon)
  } finally {
    await daemon.stop()
  }
}

/** Node flags that load ./heap-hook.js into the daemon (and let it force a GC). */
export const HEAP_HOOK_FLAGS = ['--expose-gc', '--import', fileURLToPath(new URL('./heap-hook.js', import.meta.url))] as const

export interface HeapFigures {
  seq: number
  afterGc: boolean
  rss: number
  heapTotal: number
  heapUsed: number
  external: number
  newSpace: number | null
}

/**
 * The daemon's heap figures from its hook (it must run with HEAP_HOOK_FLAGS): as they are,
 * or after a full GC. Undefined when no answer comes within `timeoutMs`.
 */
export const heapOf = async (daemon: DaemonHandle, afterGc = false, timeoutMs = 5000): Promise<HeapFigures | undefined> => {
  const latest = (): HeapFigures | undefined =>
    daemon.lastHeapLine === undefined ? undefined : (JSON.parse(daemon.lastHeapLine) as { benchHeap: HeapFigures }).benchHeap
  const before = latest()?.seq ?? 0
  try {
    process.kill(daemon.pid, afterGc ? 'SIGWINCH' : 'SIGUSR2')
  } catch {
    return undefined
  }
  const giveUp = now() + timeoutMs
  while (now() < giveUp) {
    const figures = latest()
    if (figures !== undefined && figures.seq > before) return figures
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  return undefined
}
