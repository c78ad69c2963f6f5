import { readFileSync } from 'node:fs'

const UNIT = new URL('../../../netmon.service', import.meta.url)

/**
 * The node flags netmon.service gives the daemon (`Environment=NODE_OPTIONS=...`), so the
 * bench can run the daemon as deployed; empty when the unit sets none.
 */
export const unitNodeOptions = (): string[] => {
  const match = /^Environment="?NODE_OPTIONS=([^"\n]*)"?$/m.exec(readFileSync(UNIT, 'utf8'))
  return match?.[1]?.split(' ').filter((flag) => flag !== '') ?? []
}
