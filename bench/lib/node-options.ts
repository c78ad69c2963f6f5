import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { NETMON_BIN } from './daemon.js'

const words = (text: string | undefined): string[] => text?.split(' ').filter((flag) => flag !== '') ?? []

/**
 * The node flags a deployed daemon runs with, for the daemon under test (NETMON_BIN: A's
 * under --ab): those its `bin/netmon.js` starts node with (line 2, `exec node <flags> "$0"
 * "$@"`), and, for commits from before that launcher, the NODE_OPTIONS of the
 * netmon.service beside it. Empty when neither gives any.
 */
export const deployedNodeFlags = (): string[] => {
  const launcher = /^':' \/\/; exec node (.*) "\$0" "\$@"$/m.exec(readFileSync(NETMON_BIN, 'utf8'))
  const unitPath = join(dirname(NETMON_BIN), '..', 'netmon.service')
  const unit = existsSync(unitPath) ? /^Environment="?NODE_OPTIONS=([^"\n]*)"?$/m.exec(readFileSync(unitPath, 'utf8')) : null
  return [...new Set([...words(launcher?.[1]), ...words(unit?.[1])])]
}
