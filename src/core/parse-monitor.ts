import { fail, ok, type Result } from './result.js'

/**
 * One line of `ip monitor label address route link`, classified. `ip -json monitor` prints
 * the same text (see ../shared/notes/iproute2.md); a JSON object per line is accepted too.
 */
export type MonitorLine =
  | { kind: 'link'; deleted: boolean; ifindex: number; ifname: string }
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
  | { kind: 'nexthop'; dev: string }
  /** Any other continuation line (`link/ether ...`, `valid_lft ...`). */
  | { kind: 'continuation' }
  /** A JSON object: the names it mentions, or none when it names no interface. */
  | { kind: 'json'; ifnames: string[] }

const ROUTE_TYPES = new Set([
  'unicast', 'local', 'broadcast', 'multicast', 'throw', 'unreachable', 'prohibit', 'blackhole', 'nat', 'anycast',
])

const LINK_HEADER = /^(\d+):\s+([^:\s@]+)(?:@[^:\s]*)?:/
const ADDR_HEADER = /^(\d+):\s+(\S+)\s+(\S+)/
const NEXTHOP_DEV = /^\s+nexthop\b.*?\bdev\s+(\S+)/

const valueAfter = (tokens: readonly string[], key: string): string | undefined => {
  const at = tokens.indexOf(key)
  return at >= 0 ? tokens[at + 1] : undefined
}

const parseRoute = (body: string, deleted: boolean): Result<MonitorLine> => {
  const tokens = body.trim().split(/\s+/)
  const first = tokens[0]
  if (first === undefined || first === '') return fail('route record without a destination')
  const typed = ROUTE_TYPES.has(first)
  const dst = typed ? tokens[1] : first
  if (dst === undefined) return fail('route record without a destination')
  const gateway = valueAfter(tokens, 'via')
  const inet6 = dst.includes(':') || (gateway?.includes(':') ?? false) || gateway === 'inet6' || tokens.includes('pref')
  return ok({
    kind: 'route',
    deleted,
    family: inet6 ? 'inet6' : 'inet',
    routeType: typed ? first : 'unicast',
    dst,
    table: valueAfter(tokens, 'table') ?? 'main',
    dev: valueAfter(tokens, 'dev'),
  })
}

const parseJson = (line: string): Result<MonitorLine> => {
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch {
    return fail('a line starting with "{" is not valid JSON')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('JSON line is not an object')
  const record = value as Record<string, unknown>
  const ifnames = ['ifname', 'dev', 'label']
    .map((key) => record[key])
    .filter((name): name is string => typeof name === 'string' && name !== '')
  return ok({ kind: 'json', ifnames: [...new Set(ifnames)] })
}

const strip = (text: string, prefix: string): [boolean, string] =>
  text.startsWith(prefix) ? [true, text.slice(prefix.length)] : [false, text]

/** Classifies one output line of `ip monitor`; never throws. */
export const parseMonitorLine = (line: string): Result<MonitorLine> => {
  if (line.trim() === '') return ok({ kind: 'continuation' })
  if (/^\s/.test(line)) {
    const nexthop = NEXTHOP_DEV.exec(line)
    return ok(nexthop?.[1] === undefined ? { kind: 'continuation' } : { kind: 'nexthop', dev: nexthop[1] })
  }
  if (line.startsWith('{')) return parseJson(line)
  const label = /^\[(ADDR|ROUTE|LINK)\]/.exec(line)
  if (label === null) return fail(`unrecognised monitor line ${JSON.stringify(line.slice(0, 120))}`)
  const [deleted, body] = strip(line.slice(label[0].length), 'Deleted ')
  switch (label[1]) {
    case 'ROUTE':
      return parseRoute(body, deleted)
    case 'LINK': {
      const header = LINK_HEADER.exec(body)
      if (header?.[1] === undefined || header[2] === undefined) return fail(`unrecognised link record ${JSON.stringify(line.slice(0, 120))}`)
      return ok({ kind: 'link', deleted, ifindex: Number(header[1]), ifname: header[2] })
    }
    default: {
      const header = ADDR_HEADER.exec(body)
      if (header?.[1] === undefined || header[2] === undefined || header[3] === undefined) {
        return fail(`unrecognised address record ${JSON.stringify(line.slice(0, 120))}`)
      }
      return ok({ kind: 'addr', deleted, ifindex: Number(header[1]), ifname: header[2], family: header[3] })
    }
  }
}
