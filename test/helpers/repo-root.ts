import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const rootAbove = (start: string): string => {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir
    if (dirname(dir) === dir) throw new Error(`no package.json above ${start}`)
  }
}

/**
 * The repository's root folder (the nearest above this file holding package.json): the
 * same from test/helpers/ as from the bench's compiled copy under bench/dist/.
 */
export const REPO_ROOT = rootAbove(dirname(fileURLToPath(import.meta.url)))

/** A path inside the repository, from its root. */
export const inRepo = (...parts: string[]): string => join(REPO_ROOT, ...parts)
