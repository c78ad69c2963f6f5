import { deleteAllNamespacesSync } from '../../test/helpers/netns.js'

/**
 * Everything the bench creates is removed synchronously, so the same code runs after a
 * normal run, on an exception, and on Ctrl-C / SIGTERM: the processes registered here, and
 * the namespaces that test/helpers/netns.ts keeps track of.
 */
const pids = new Set<number>()

export const trackPid = (pid: number): void => void pids.add(pid)
export const untrackPid = (pid: number): void => void pids.delete(pid)

const kill = (pid: number): void => {
  try {
    process.kill(pid, 'SIGKILL')
  } catch {
    // Already gone.
  }
}

export const cleanupAllSync = (): void => {
  for (const pid of pids) kill(pid)
  pids.clear()
  deleteAllNamespacesSync()
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
