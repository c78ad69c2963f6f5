import { fileURLToPath } from 'node:url'
import { execa, type ResultPromise } from 'execa'
import type { Test } from 'tap'
import { collectLines, type LineCollector } from './lines.js'
import type { TestNamespace } from './netns.js'

export const NETMON_BIN = fileURLToPath(new URL('../../bin/netmon.js', import.meta.url))

/** The real daemon (built `bin/netmon.js`) running inside a test namespace. */
export interface DaemonProcess {
  pid: number
  /** Stdout lines: the events with --stdout. */
  stdout: LineCollector
  /** Stderr lines: the structured logs. */
  stderr: LineCollector
  /** SIGTERM, then the exit code (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<number | undefined>
  exited: ResultPromise
}

/** Starts `netmon ...args` under `ip netns exec` and kills it by PID in teardown. */
export const startDaemonProcess = (
  t: Test,
  ns: TestNamespace,
  args: string[],
  nodeFlags: string[] = [],
  options: { cwd?: string } = {},
): DaemonProcess => {
  const child = execa('ip', ['netns', 'exec', ns.name, process.execPath, ...nodeFlags, NETMON_BIN, ...args], {
    ...options,
    reject: false,
    stdin: 'ignore',
    buffer: false,
  })
  if (child.pid === undefined) throw new Error('could not start netmon')
  const pid = child.pid
  const stop = async (graceMs = 3000): Promise<number | undefined> => {
    if (child.exitCode !== null) return child.exitCode
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
    const result = await child
    clearTimeout(timer)
    return result.exitCode
  }
  t.teardown(() => stop(1000))
  return { pid, stdout: collectLines(child.stdout), stderr: collectLines(child.stderr), stop, exited: child }
}

const ACTIVE_RESOURCES_HOOK = fileURLToPath(new URL('./active-resources-hook.mjs', import.meta.url))

/** Node flags that let `activeResources` ask the daemon what keeps its event loop alive. */
export const WITH_ACTIVE_RESOURCES = ['--import', ACTIVE_RESOURCES_HOOK]

/** The daemon's active resources right now (it must run with WITH_ACTIVE_RESOURCES). */
export const activeResources = async (daemon: DaemonProcess): Promise<string[]> => {
  const seen = daemon.stderr.lines.length
  process.kill(daemon.pid, 'SIGUSR2')
  const line = await daemon.stderr.waitFor((candidate) => candidate.startsWith('{"activeResources"'), 10_000, seen)
  return (JSON.parse(line) as { activeResources: string[] }).activeResources
}
