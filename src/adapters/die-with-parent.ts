import { spawn } from 'node:child_process'

/**
 * How a long-running child is started: under a prefix that makes the kernel kill it when
 * netmon dies, or plainly (with the reason why not).
 */
export type Launcher = { kind: 'dies-with-parent'; prefix: readonly string[] } | { kind: 'plain'; reason: string }

/** Starts a child that the kernel kills when netmon dies. */
export const DIES_WITH_PARENT: Launcher = { kind: 'dies-with-parent', prefix: ['setpriv', '--pdeathsig', 'KILL', '--'] }

/** The command and arguments that start `command args` with `launcher`. */
export const launch = (launcher: Launcher, command: string, args: readonly string[]): [string, string[]] => {
  if (launcher.kind === 'plain') return [command, [...args]]
  const [first, ...rest] = launcher.prefix
  return first === undefined ? [command, [...args]] : [first, [...rest, command, ...args]]
}

/** How a probe run ended: its exit status, or the error that kept it from running or finishing. */
export type ProbeResult = { error: Error } | { status: number }

type Probe = (command: string, args: readonly string[]) => Promise<ProbeResult>

/** Runs the probe as a child, killed after `timeoutMs`. */
export const spawnProbe =
  (timeoutMs = 2000): Probe =>
  (command, args) =>
    new Promise((resolve) => {
      const child = spawn(command, args, { stdio: 'ignore', timeout: timeoutMs })
      child.once('error', (error) => resolve({ error }))
      child.once('exit', (status, signal) => {
        resolve(status === null ? { error: new Error(`killed by ${String(signal)} after ${timeoutMs} ms`) } : { status })
      })
    })

/**
 * A child started as `setpriv --pdeathsig KILL -- cmd ...` gets SIGKILL from the kernel when
 * the thread that forked it exits: `setpriv` sets PR_SET_PDEATHSIG and execs `cmd` (same
 * pid), and the death signal survives that exec (`ip` is not set-uid). Node forks children
 * from the main thread (libuv's uv_spawn runs on the event loop), so the signal is tied to
 * the life of the process itself: a `kill -9` of netmon takes `ip monitor` with it instead
 * of leaving an orphan that lives until its next write. util-linux (Debian, the image) has
 * it; BusyBox's `setpriv` lacks `--pdeathsig`. Start-up probes it together with the `ip`
 * check (`checkIpAndFindLauncher`); this probe alone runs when that one fails.
 */
export const findLauncher = async (probe: Probe = spawnProbe()): Promise<Launcher> => {
  const [command, args] = launch(DIES_WITH_PARENT, 'true', [])
  const result = await probe(command, args)
  if ('error' in result) {
    return { kind: 'plain', reason: `cannot run setpriv (${(result.error as NodeJS.ErrnoException).code ?? result.error.message})` }
  }
  if (result.status !== 0) return { kind: 'plain', reason: 'this setpriv has no --pdeathsig (util-linux 2.33 or later has)' }
  return DIES_WITH_PARENT
}
