import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'

/** A fresh folder `nm-<label>-XXXXXX` under the temp dir, removed when the test ends. */
export const tempDir = (t: Test, label: string): string => {
  const dir = mkdtempSync(join(tmpdir(), `nm-${label}-`))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** A socket path in a fresh folder of its own (short enough for the 107-byte limit), removed at the end. */
export const socketPath = (t: Test, label: string): string => join(tempDir(t, label), 'netmon.sock')
