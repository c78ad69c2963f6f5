import { fileURLToPath } from 'node:url'
import type { DaemonProcess } from './daemon-process.js'

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
