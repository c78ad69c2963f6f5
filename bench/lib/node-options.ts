import { readFileSync } from 'node:fs'

const LAUNCHER = new URL('../../../bin/netmon.js', import.meta.url)

/**
 * The node flags `bin/netmon.js` starts the daemon with (its line 2,
 * `exec node <flags> "$0" "$@"`), so the bench can run the daemon as every launch path
 * (the unit, the image, npm -g) runs it; empty when the launcher passes none.
 */
export const launcherNodeFlags = (): string[] => {
  const match = /^':' \/\/; exec node (.*) "\$0" "\$@"$/m.exec(readFileSync(LAUNCHER, 'utf8'))
  return match?.[1]?.split(' ').filter((flag) => flag !== '') ?? []
}
