import { chmodSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** Writes an executable `ip` stand-in (a sh script) into `dir`, for --ip; returns its path. */
export const writeIpScript = (dir: string, body: string): string => {
  const path = join(dir, 'ip')
  writeFileSync(path, `#!/bin/sh\n${body}\n`)
  chmodSync(path, 0o755)
  return path
}
