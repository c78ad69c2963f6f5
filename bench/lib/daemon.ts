import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { NETMON_BIN as BUILT_BIN, spawnDaemon } from '../../test/helpers/daemon-process.js'
import type { LineCollector } from '../../test/helpers/lines.js'
import type { Namespace } from '../../test/helpers/netns.js'
import { deployedNodeFlags } from '../../test/helpers/node-options.js'
import { connectWhenFree, type SocketClient } from '../../test/helpers/socket-client.js'
import { arrival, discoveryOf } from './arrivals.js'
import { trackPid, untrackPid } from './cleanup.js'
import { now } from './stats.js'

/** The daemon under test; BENCH_NETMON_BIN points at another build (e.g. a prototype fix) for A/B runs. */
export const NETMON_BIN = process.env.BENCH_NETMON_BIN ?? BUILT_BIN

/** How long start-up may take before "listening" (a huge route table is read first). */
const LISTEN_TIMEOUT_MS = 10 * 60_000

/** The real daemon (`node bin/netmon.js`) under `ip netns exec`, which execs: its pid is the node pid. */
export interface DaemonHandle {
  pid: number
  socketPath: string
  /** now() at spawn. */
  spawnedAt: number
  /** now() when stderr said "listening" (the socket is bound and chmod'ed). */
  listening: Promise<number>
  /** Its stderr lines: the logs, and the lines of ./heap-hook.js. */
  stderr: LineCollector
  /** The last 50 lines of stderr, for error messages. */
  stderrTail(): string[]
  /** Connects a client and waits for its discovery (rejects after `timeoutMs`). */
  connect(timeoutMs?: number): Promise<SocketClient>
  stop(): Promise<void>
}

/** Extra node flags for the daemon (e.g. --cpu-prof) from BENCH_NODE_FLAGS, space-separated. */
const nodeFlags = (): string[] => (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter((flag) => flag !== '')

/**
 * `nodeFlags` go before the script, after BENCH_NODE_FLAGS. By default the flags the daemon
 * is deployed with (its launcher's), so every scenario measures what runs on a board; the
 * memory scenario passes its own variants, with a measuring hook (./heap-hook.ts).
 */
export const startDaemon = (ns: Namespace, args: readonly string[], daemonNodeFlags: readonly string[] = deployedNodeFlags(NETMON_BIN)): DaemonHandle => {
  const dir = mkdtempSync(join(tmpdir(), 'nmb-'))
  const socketPath = join(dir, 'netmon.sock')
  const spawnedAt = now()
  const daemon = spawnDaemon(ns, ['--socket', socketPath, ...args], { nodeFlags: [...nodeFlags(), ...daemonNodeFlags], bin: NETMON_BIN })
  trackPid(daemon.pid)
  let exited = false
  void daemon.exited.then(() => (exited = true))
  const stderrTail = (): string[] => daemon.stderr.lines.slice(-50)
  const listening = arrival(daemon.stderr, (line) => line.includes('"msg":"listening"'), LISTEN_TIMEOUT_MS, 0, () => exited).then(async (hit) => {
    if (hit !== undefined) return hit.at
    const result = exited ? await daemon.exited : undefined
    const how = result === undefined ? `not listening after ${LISTEN_TIMEOUT_MS} ms` : `exited (${String(result.exitCode ?? result.signal)}) before listening`
    throw new Error(`daemon ${how}:\n${stderrTail().join('\n')}`)
  })
  listening.catch(() => {}) // Observed by whoever awaits it; never an unhandled rejection.
  return {
    pid: daemon.pid,
    socketPath,
    spawnedAt,
    listening,
    stderr: daemon.stderr,
    stderrTail,
    async connect(timeoutMs = 15_000) {
      await listening
      const client = await connectWhenFree(socketPath)
      if ((await discoveryOf(client, timeoutMs)) === undefined) {
        client.close()
        throw new Error(`no discovery within ${timeoutMs} ms:\n${stderrTail().join('\n')}`)
      }
      return client
    },
    async stop() {
      await daemon.stop(3000)
      untrackPid(daemon.pid)
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** Starts a daemon, runs `fn`, always stops it. */
export const withDaemon = async <T>(
  ns: Namespace,
  args: readonly string[],
  fn: (daemon: DaemonHandle) => Promise<T>,
  daemonNodeFlags: readonly string[] = deployedNodeFlags(NETMON_BIN),
): Promise<T> => {
  const daemon = startDaemon(ns, args, daemonNodeFlags)
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
  const seen = daemon.stderr.lines.length
  try {
    process.kill(daemon.pid, afterGc ? 'SIGWINCH' : 'SIGUSR2')
  } catch {
    return undefined
  }
  const hit = await arrival(daemon.stderr, (line) => line.startsWith('{"benchHeap"'), timeoutMs, seen)
  return hit === undefined ? undefined : (JSON.parse(hit.line) as { benchHeap: HeapFigures }).benchHeap
}
