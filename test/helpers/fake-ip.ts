import { chmodSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Test } from 'tap'
import { tempDir } from './temp-dir.js'

/** Writes an executable `ip` stand-in (a sh script) into `dir`, for --ip; returns its path. */
export const writeIpScript = (dir: string, body: string): string => {
  const path = join(dir, 'ip')
  writeFileSync(path, `#!/bin/sh\n${body}\n`)
  chmodSync(path, 0o755)
  return path
}

/** An `ip` wrapper script for --ip, written by `body(dir)` into a fresh folder that also holds the socket. */
export const ipWrapper = (t: Test, label: string, body: (dir: string) => string): { wrapper: string; socket: string } => {
  const dir = tempDir(t, label)
  return { wrapper: writeIpScript(dir, body(dir)), socket: join(dir, 'netmon.sock') }
}
