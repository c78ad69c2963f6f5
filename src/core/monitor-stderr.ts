/**
 * What a line that `ip monitor` writes on stderr means for us.
 * - `overrun`: the kernel dropped records (ENOBUFS); the child keeps running, state must be re-read.
 * - `namespace-race`: at start-up `ip` maps every name in /run/netns to its netns id; a name that
 *   `ip netns add` has created but not yet mounted (or is removing) cannot be mapped. That only
 *   affects how peers in other namespaces are named, never which records arrive.
 * - `other`: anything else, worth a warning.
 */
export type MonitorStderr = { kind: 'blank' } | { kind: 'overrun' } | { kind: 'namespace-race' } | { kind: 'other' }

const OVERRUN = /No buffer space available/
const NAMESPACE_RACE = /Peer netns reference is invalid/

export const classifyMonitorStderr = (line: string): MonitorStderr => {
  if (line.trim() === '') return { kind: 'blank' }
  if (OVERRUN.test(line)) return { kind: 'overrun' }
  if (NAMESPACE_RACE.test(line)) return { kind: 'namespace-race' }
  return { kind: 'other' }
}

/** Lines that differ only in their numbers are one kind of message, for the log's repeat limit. */
export const stderrKind = (meaning: MonitorStderr, line: string): string =>
  `${meaning.kind}:${line.trim().replace(/\d+/g, '#').slice(0, 200)}`
