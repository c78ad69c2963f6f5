import { readFileSync } from 'node:fs'
import { inRepo } from './repo-root.js'

const flagsOf = (text: string | undefined): string[] => text?.split(' ').filter((flag) => flag !== '') ?? []

/** The node flags netmon.service gives the daemon (`Environment=NODE_OPTIONS=...`); empty when it sets none. */
export const unitNodeOptions = (): string[] =>
  flagsOf(/^Environment="?NODE_OPTIONS=([^"\n]*)"?$/m.exec(readFileSync(inRepo('netmon.service'), 'utf8'))?.[1])

/** The node flags Dockerfile.netmon gives the daemon (`ENV NODE_OPTIONS=...`); empty when it sets none. */
export const imageNodeOptions = (): string[] =>
  flagsOf(/^ENV NODE_OPTIONS="?([^"\n]*)"?$/m.exec(readFileSync(inRepo('Dockerfile.netmon'), 'utf8'))?.[1])
