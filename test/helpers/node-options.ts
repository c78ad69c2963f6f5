import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { NETMON_BIN } from './daemon-process.js'

const words = (text: string | undefined): string[] => text?.split(' ').filter((flag) => flag !== '') ?? []

/** The node flags `bin` (a bin/netmon.js) starts node with: its line 2, `exec node <flags> "$0" "$@"`. */
export const launcherNodeFlags = (bin = NETMON_BIN): string[] =>
  words(/^':' \/\/; exec node (.*) "\$0" "\$@"$/m.exec(readFileSync(bin, 'utf8'))?.[1])

/**
 * The node flags a deployed daemon runs with, for the daemon at `bin`: those its launcher
 * starts node with, and, for commits from before that launcher, the NODE_OPTIONS of the
 * netmon.service beside it. Empty when neither gives any.
 */
export const deployedNodeFlags = (bin = NETMON_BIN): string[] => {
  const unitPath = join(dirname(bin), '..', 'netmon.service')
  const unit = existsSync(unitPath) ? /^Environment="?NODE_OPTIONS=([^"\n]*)"?$/m.exec(readFileSync(unitPath, 'utf8')) : null
  return [...new Set([...launcherNodeFlags(bin), ...words(unit?.[1])])]
}
