import type { MonitorRecord } from './record-assembler.js'
import { unreachable } from './result.js'
import type { State } from './state.js'

/**
 * A link record's possible names (see parse-monitor.ts): the one known for its index when
 * it is among them; else the first reading (`NAME@PEER` is by far the common case), and the
 * known one (a rename). A name that itself holds `@` is then read short, which costs an
 * empty window: the snapshot it triggers finds the real name among the unsettled ones and
 * reports it one debounce later. Windows for every reading would double the windows of
 * every new veth, and split their settling.
 */
const linkNamesOf = (state: State, ifindex: number, candidates: readonly string[]): (string | undefined)[] => {
  const known = state.names.get(ifindex)
  const reading = candidates.find((name) => name === known)
  return reading === undefined ? [candidates[0], known] : [reading]
}

/** Which interfaces a monitor record may have changed (undefined: a name not known yet). */
export const affected = (state: State, record: MonitorRecord): (string | undefined)[] => {
  switch (record.kind) {
    case 'link':
      return linkNamesOf(state, record.ifindex, record.ifnames)
    case 'addr':
      return record.family === 'inet6' ? [] : [record.ifname, state.names.get(record.ifindex)]
    case 'default-route-device':
      return record.family === 'inet6' ? [] : [record.dev]
    case 'no-interface':
      return []
    case 'json':
      return record.ifnames
    // Stryker disable next-line all: unreachable, as the compiler proves
    /* c8 ignore next 2 -- the compiler proves every record kind is handled above */
    default:
      return unreachable(record)
  }
}
