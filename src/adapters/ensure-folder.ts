import { mkdirSync, statSync } from 'node:fs'
import { dirname } from 'node:path'

/**
 * `mkdir -p`, one level at a time. Node 20's `mkdirSync(path, { recursive: true })` spins
 * forever under /proc (seen here), so a bad --socket path would hang the daemon instead
 * of failing with a clear message.
 */
export const ensureFolder = (folder: string): void => {
  try {
    if (statSync(folder).isDirectory()) return
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    const parent = dirname(folder)
    if (parent !== folder) ensureFolder(parent)
    mkdirSync(folder)
    return
  }
  throw Object.assign(new Error(`${folder} exists and is not a folder`), { code: 'ENOTDIR' })
}
