import { hasPreference, walkRouteHead, wordsOf } from './parse-route-record.js'
import { fail, ok, type Result } from './result.js'

/**
 * One line of `ip monitor label address route link`, classified. `ip -json monitor` prints
 * the same text (see ../shared/notes/iproute2.md); a JSON object per line is accepted too.
 */
export type MonitorLine =
  /**
   * `ifnames`: the names the record may mean. `ip` prints `NAME@PEER` for a link with a peer,
   * and a name may itself hold `@`, so `a@b@c` may be `a@b` or `a`: every reading is listed,
   * shortest first (monitor-scope.ts picks the known one by index).
   */
  | { kind: 'link'; deleted: boolean; ifindex: number; ifnames: string[] }
  | { kind: 'addr'; deleted: boolean; ifindex: number; ifname: string; family: string }
  | {
      kind: 'route'
      deleted: boolean
      family: 'inet' | 'inet6'
      /** `unicast` unless the record names another type (`local`, `unreachable`, ...). */
      routeType: string
      dst: string
      table: string
      dev: string | undefined
    }
  /** A continuation line naming a multipath nexthop's device. */
  | { kind: 'nexthop'; dev: string; family: 'inet' | 'inet6' | undefined }
  /** Any other continuation line (`link/ether ...`, `valid_lft ...`). */
  | { kind: 'continuation' }
  /** A JSON object: the names it mentions, or none when it names no interface. */
  | { kind: 'json'; ifnames: string[] }

const ROUTE_TYPES = new Set([
  'unicast', 'local', 'broadcast', 'multicast', 'throw', 'unreachable', 'prohibit', 'blackhole', 'nat', 'anycast',
])

/** `N: NAME[@PEER]: <FLAGS>`; a name holds no `:`, `/` or white space (the kernel's dev_valid_name). */
const LINK_HEADER = /^(\d+):\s+([^:\s]+):/
const ADDR_HEADER = /^(\d+):\s+(\S+)\s+(\S+)/

/** `a@b@c` -> `a`, `a@b`, `a@b@c`. */
const linkNames = (token: string): string[] => {
  const names: string[] = []
  for (let at = token.indexOf('@', 1); at !== -1; at = token.indexOf('@', at + 1)) names.push(token.slice(0, at))
  names.push(token)
  return names
}

const familyOf = (address: string | undefined, viaFamily: string | undefined): 'inet' | 'inet6' | undefined =>
  viaFamily === 'inet6' || address?.includes(':') === true ? 'inet6' : address === undefined ? undefined : 'inet'

const parseRoute = (body: string, deleted: boolean): Result<MonitorLine> => {
  const tokens = wordsOf(body)
  const first = tokens[0]
  // Stryker disable next-line ConditionalExpression: equivalent; with no first word there is no destination either, and the check below fails the same way (this one narrows `first` for the compiler)
  if (first === undefined) return fail('route record without a destination')
  const typed = ROUTE_TYPES.has(first)
  const dst = typed ? tokens[1] : first
  if (dst === undefined) return fail('route record without a destination')
  const head = walkRouteHead(tokens, typed ? 2 : 1)
  const table = tokens[head.next] === 'table' ? tokens[head.next + 1] : undefined
  const inet6 = dst.includes(':') || familyOf(head.gateway, head.viaFamily) === 'inet6' || hasPreference(tokens, head.next)
  return ok({
    kind: 'route',
    deleted,
    family: inet6 ? 'inet6' : 'inet',
    routeType: typed ? first : 'unicast',
    dst,
    table: table ?? 'main',
    dev: head.dev,
  })
}

const parseNexthop = (line: string): MonitorLine => {
  const tokens = wordsOf(line)
  if (tokens[0] !== 'nexthop') return { kind: 'continuation' }
  const head = walkRouteHead(tokens, 1)
  return head.dev === undefined ? { kind: 'continuation' } : { kind: 'nexthop', dev: head.dev, family: familyOf(head.gateway, head.viaFamily) }
}

/** `line` starts with `{`: what JSON.parse makes of it is an object, or it throws. */
const parseJson = (line: string): Result<MonitorLine> => {
  let record: Record<string, unknown>
  try {
    record = JSON.parse(line) as Record<string, unknown>
  } catch {
    return fail('a line starting with "{" is not valid JSON')
  }
  const ifnames = ['ifname', 'dev', 'label']
    .map((key) => record[key])
    .filter((name): name is string => typeof name === 'string' && name !== '')
  return ok({ kind: 'json', ifnames: [...new Set(ifnames)] })
}

const strip = (text: string, prefix: string): [boolean, string] =>
  text.startsWith(prefix) ? [true, text.slice(prefix.length)] : [false, text]

/** Classifies one output line of `ip monitor`; never throws. */
export const parseMonitorLine = (line: string): Result<MonitorLine> => {
  // A line of white space only is a continuation line too, below.
  if (line === '') return ok({ kind: 'continuation' })
  if (/^\s/.test(line)) return ok(parseNexthop(line))
  if (line.startsWith('{')) return parseJson(line)
  const label = /^\[(ADDR|ROUTE|LINK)\]/.exec(line)
  if (label === null) return fail(`unrecognised monitor line ${JSON.stringify(line.slice(0, 120))}`)
  const [deleted, body] = strip(line.slice(label[0].length), 'Deleted ')
  switch (label[1]) {
    case 'ROUTE':
      return parseRoute(body, deleted)
    case 'LINK': {
      const header = LINK_HEADER.exec(body)
      if (header?.[2] === undefined) return fail(`unrecognised link record ${JSON.stringify(line.slice(0, 120))}`)
      return ok({ kind: 'link', deleted, ifindex: Number(header[1]), ifnames: linkNames(header[2]) })
    }
    default: {
      const header = ADDR_HEADER.exec(body)
      if (
        header?.[2] === undefined ||
        // Stryker disable next-line ConditionalExpression: equivalent; no group is optional, so header[3] is defined once header[2] is (the check is for the compiler)
        header[3] === undefined
      ) {
        return fail(`unrecognised address record ${JSON.stringify(line.slice(0, 120))}`)
      }
      return ok({ kind: 'addr', deleted, ifindex: Number(header[1]), ifname: header[2], family: header[3] })
    }
  }
}
