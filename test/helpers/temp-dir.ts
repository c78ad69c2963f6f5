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
