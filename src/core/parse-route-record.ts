/**
 * Reads `ip monitor` route records by position, the way iproute2's print_route writes
 * them, so that an interface named like a keyword (`table`, `pref`, `via`, `dev`, ...) is
 * never taken for one:
 *
 *   [Deleted] [type] dst [from P] [nhid N] [as to A] [encap ...] [tos T] [via [family] G] [dev NAME] [table T] ...rest [pref P]
 *   \tnexthop [encap ...] [as to A] [via [family] G] [realm(s) R] dev NAME weight W [flags]
 *
 * Everything that can come before `dev` is a keyword with a known number of values, so the
 * walk reaches `dev` at a key position and takes the next token as the name, whatever it
 * is. `table` follows `dev` at once. Only `pref` (IPv6 routes only) is searched for in the
 * rest, after the name, as a `pref` key followed by a preference value.
 */

/** What the walk up to `dev` found. */
export interface RouteHead {
  gateway: string | undefined
  /** The family printed by `via inet6 G` (a gateway of another family), if any. */
  viaFamily: string | undefined
  dev: string | undefined
  /** Index of the first token after the walk (after the name when there was a `dev`). */
  next: number
}

const FAMILIES = new Set(['inet', 'inet6', 'mpls', 'link', 'bridge', 'ipx', 'dnet', 'mctp'])
const ONE_VALUE = new Set(['from', 'nhid', 'tos', 'realm', 'realms'])
/** Where an `encap ...` of unknown shape ends: the next key print_route writes after it. */
const AFTER_ENCAP = new Set([
  // Stryker disable next-line StringLiteral: print_route writes via, dev or table after `tos T`, and the walk takes `tos T` as a key anyway
  'tos',
  'via',
  'dev',
  'table',
  'proto',
  'scope',
  'metric',
])
const PREFERENCES = /^(low|medium|high|\d+)$/

/** Walks `tokens` from `start` up to and including `dev NAME`. */
export const walkRouteHead = (tokens: readonly string[], start: number): RouteHead => {
  let gateway: string | undefined
  let viaFamily: string | undefined
  let at = start
  for (;;) {
    const key = tokens[at]
    // Stryker disable next-line ConditionalExpression: an undefined key is no keyword either, so the last else breaks the same way
    if (key === undefined) break
    if (key === 'dev') return { gateway, viaFamily, dev: tokens[at + 1], next: at + 2 }
    if (ONE_VALUE.has(key)) {
      at += 2
    } else if (key === 'as') {
      at += tokens[at + 1] === 'to' ? 3 : 2
    } else if (key === 'via') {
      const family = tokens[at + 1]
      // Stryker disable next-line ConditionalExpression: the Set holds no undefined; the check is for the compiler
      if (family !== undefined && FAMILIES.has(family) && at + 2 < tokens.length) {
        viaFamily = family
        gateway = tokens[at + 2]
        at += 3
      } else {
        gateway = family
        at += 2
      }
    } else if (key === 'encap') {
      // Stryker disable next-line EqualityOperator: tokens[at] is `encap`, never a key that ends it
      const end = tokens.findIndex((token, index) => index > at && AFTER_ENCAP.has(token))
      at = end === -1 ? tokens.length : end
    } else {
      break
    }
  }
  return { gateway, viaFamily, dev: undefined, next: at }
}

/** True when a `pref P` pair (printed for IPv6 routes only) follows position `from`. */
export const hasPreference = (tokens: readonly string[], from: number): boolean => {
  const rest = tokens.slice(from)
  // A last word `pref` has no value after it: no pair.
  // Stryker disable next-line StringLiteral: no preference value is the empty string or Stryker's text
  return rest.some((token, at) => token === 'pref' && PREFERENCES.test(rest[at + 1] ?? ''))
}

/** The record's words: ip separates them with single spaces and ends with one. */
// Stryker disable next-line Regex: splitting at each white space character makes empty words, which the filter drops
export const wordsOf = (text: string): string[] => text.split(/\s+/).filter((word) => word !== '')
