import type { MonitorLine } from './parse-monitor.js'
import { unreachable } from './result.js'
import type { RouteContext, State } from './state.js'

const DEFAULT_DESTINATIONS = new Set(['default', '0.0.0.0/0'])

const namesOf = (state: State, ifindex: number, ifname: string): (string | undefined)[] => [ifname, state.names.get(ifindex)]

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
  return known !== undefined && candidates.includes(known) ? [known] : [candidates[0], known]
}

/** Which interfaces a monitor line may have changed, and the route context it leaves. */
export const affected = (state: State, line: MonitorLine): { names: (string | undefined)[]; context: RouteContext } => {
  switch (line.kind) {
    case 'link':
      return { names: linkNamesOf(state, line.ifindex, line.ifnames), context: 'other' }
    case 'addr':
      return { names: line.family === 'inet6' ? [] : namesOf(state, line.ifindex, line.ifname), context: 'other' }
    case 'route': {
      const isDefault =
        line.family === 'inet' && line.routeType === 'unicast' && line.table === 'main' && DEFAULT_DESTINATIONS.has(line.dst)
      return { names: isDefault ? [line.dev] : [], context: isDefault ? 'default-route' : 'other' }
    }
    case 'nexthop':
      return { names: state.routeContext === 'default-route' && line.family !== 'inet6' ? [line.dev] : [], context: state.routeContext }
    case 'continuation':
      return { names: [], context: state.routeContext }
    case 'json':
      return { names: line.ifnames, context: 'other' }
    default:
      return unreachable(line)
  }
}
