import { execa, type ResultPromise } from 'execa'
import { collectLines, type LineCollector } from './lines.js'
import type { Namespace } from './netns.js'
import { inRepo } from './repo-root.js'
import type { Teardown } from './teardown.js'

/** The daemon as built: `bin/netmon.js`, which loads dist/ (`npm run build` first). */
export const NETMON_BIN = inRepo('bin', 'netmon.js')

/** The real daemon running inside a namespace. */
export interface DaemonProcess {
  /** Node's PID: `ip netns exec` execs it. */
  pid: number
  /** Stdout lines: the events with --stdout. */
  stdout: LineCollector
  /** Stderr lines: the structured logs. */
  stderr: LineCollector
  /** SIGTERM, then the exit code (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<number | undefined>
  exited: ResultPromise
}

export interface SpawnDaemonOptions {
  /** Node flags before the script, e.g. an `--import` hook. */
  nodeFlags?: readonly string[]
  cwd?: string
  /** Another build's bin/netmon.js. */
  bin?: string
}

/** Starts `node [nodeFlags] bin/netmon.js ...args` under `ip netns exec`; the caller stops it. */
export const spawnDaemon = (ns: Pick<Namespace, 'name'>, args: readonly string[], { nodeFlags = [], cwd, bin = NETMON_BIN }: SpawnDaemonOptions = {}): DaemonProcess => {
  const child = execa('ip', ['netns', 'exec', ns.name, process.execPath, ...nodeFlags, bin, ...args], {
    cwd,
    reject: false,
    stdin: 'ignore',
    buffer: false,
  })
  if (child.pid === undefined) throw new Error('could not start netmon')
  const stop = async (graceMs = 3000): Promise<number | undefined> => {
    if (child.exitCode !== null) return child.exitCode
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
    const result = await child
    clearTimeout(timer)
    return result.exitCode
  }
  return { pid: child.pid, stdout: collectLines(child.stdout), stderr: collectLines(child.stderr), stop, exited: child }
}

/** `spawnDaemon` for test `t`, stopped in its teardown. */
export const startDaemonProcess = (
  t: Teardown,
  ns: Pick<Namespace, 'name'>,
  args: string[],
  nodeFlags: string[] = [],
  options: { cwd?: string } = {},
): DaemonProcess => {
  const daemon = spawnDaemon(ns, args, { ...options, nodeFlags })
  t.teardown(() => daemon.stop(1000))
  return daemon
}
