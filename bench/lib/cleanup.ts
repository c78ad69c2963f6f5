import { spawnSync } from 'node:child_process'

/**
 * Everything the bench creates is registered here and removed synchronously, so the same
 * code runs after a normal run, on an exception, and on Ctrl-C / SIGTERM.
 */
const namespaces = new Set<string>()
const pids = new Set<number>()

export const trackNamespace = (name: string): void => void namespaces.add(name)
export const untrackNamespace = (name: string): void => void namespaces.delete(name)
export const trackPid = (pid: number): void => void pids.add(pid)
export const untrackPid = (pid: number): void => void pids.delete(pid)

const kill = (pid: number): void => {
  try {
    process.kill(pid, 'SIGKILL')
  } catch {
    // Already gone.
  }
}

/** Kills every process left in `name` by PID, then deletes the namespace. */
export const deleteNamespaceSync = (name: string): void => {
  const listed = spawnSync('ip', ['netns', 'pids', name], { encoding: 'utf8' })
  for (const line of (listed.stdout ?? '').split('\n')) if (/^\d+$/.test(line)) kill(Number(line))
  spawnSync('ip', ['netns', 'del', name])
  namespaces.delete(name)
}

export const cleanupAllSync = (): void => {
  for (const pid of pids) kill(pid)
  pids.clear()
  for (const name of [...namespaces]) deleteNamespaceSync(name)
}

/** Cleans up on exit and on SIGINT/SIGTERM/SIGHUP (exit 130/143/129 after cleaning). */
export const installCleanupHandlers = (): void => {
  process.once('exit', cleanupAllSync)
  const codes = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const
  for (const [signal, code] of Object.entries(codes)) {
    process.once(signal, () => {
      process.stderr.write(`\nbench: ${signal}: removing namespaces and processes\n`)
      cleanupAllSync()
      process.exit(code)
    })
  }
}
