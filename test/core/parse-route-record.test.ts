import t from 'tap'
import { hasPreference, walkRouteHead, wordsOf, type RouteHead } from '../../src/core/parse-route-record.js'

const walk = (record: string, start = 0): RouteHead => walkRouteHead(wordsOf(record), start)

t.test('the walk takes each keyword with its number of values and stops at dev NAME', async (t) => {
  const cases: [record: string, head: RouteHead][] = [
    ['from 10.0.0.0/8 dev eth0', { gateway: undefined, viaFamily: undefined, dev: 'eth0', next: 4 }],
    ['nhid 7 dev eth0', { gateway: undefined, viaFamily: undefined, dev: 'eth0', next: 4 }],
    ['tos 0x10 dev eth0', { gateway: undefined, viaFamily: undefined, dev: 'eth0', next: 4 }],
    ['realm 5 dev eth0', { gateway: undefined, viaFamily: undefined, dev: 'eth0', next: 4 }],
    ['realms 5/6 dev eth0', { gateway: undefined, viaFamily: undefined, dev: 'eth0', next: 4 }],
    ['as to 10.9.0.1 via 10.0.0.1 dev eth0', { gateway: '10.0.0.1', viaFamily: undefined, dev: 'eth0', next: 7 }],
    // print_route always writes "as to A"; a bare "as A" still takes one value.
    ['as 10.9.0.1 dev eth0', { gateway: undefined, viaFamily: undefined, dev: 'eth0', next: 4 }],
    ['via 10.0.0.1 dev table', { gateway: '10.0.0.1', viaFamily: undefined, dev: 'table', next: 4 }],
    // A name that is a keyword is still the name: the walk reaches it at a key position.
    ['via 10.0.0.1 dev dev table main', { gateway: '10.0.0.1', viaFamily: undefined, dev: 'dev', next: 4 }],
    ['proto kernel dev eth0', { gateway: undefined, viaFamily: undefined, dev: undefined, next: 0 }],
    ['', { gateway: undefined, viaFamily: undefined, dev: undefined, next: 0 }],
    ['via 10.0.0.1', { gateway: '10.0.0.1', viaFamily: undefined, dev: undefined, next: 2 }],
    ['dev', { gateway: undefined, viaFamily: undefined, dev: undefined, next: 2 }],
  ]
  for (const [record, head] of cases) t.same(walk(record), head, record === '' ? '(empty)' : record)
  t.same(walkRouteHead(wordsOf('default via 10.0.0.1 dev eth0'), 1), { gateway: '10.0.0.1', viaFamily: undefined, dev: 'eth0', next: 5 }, 'from a start past the destination')
})

t.test('via FAMILY GATEWAY: every family print_route writes is taken as a family', async (t) => {
  for (const family of ['inet', 'inet6', 'mpls', 'link', 'bridge', 'ipx', 'dnet', 'mctp']) {
    t.same(walk(`via ${family} GW dev eth0`), { gateway: 'GW', viaFamily: family, dev: 'eth0', next: 5 }, family)
  }
  t.same(walk('via inet6'), { gateway: 'inet6', viaFamily: undefined, dev: undefined, next: 2 }, 'a family word with nothing after it is the gateway')
  t.same(walk('via inet6 fe80::1'), { gateway: 'fe80::1', viaFamily: 'inet6', dev: undefined, next: 3 }, 'family and gateway as the last words')
  t.same(walk('via inet7 GW dev eth0'), { gateway: 'inet7', viaFamily: undefined, dev: undefined, next: 2 }, 'an unknown family is a gateway')
})

t.test('encap of unknown shape ends at the next key print_route writes after it', async (t) => {
  const cases: [record: string, head: RouteHead][] = [
    ['encap mpls 100/200 dev eth0', { gateway: undefined, viaFamily: undefined, dev: 'eth0', next: 5 }],
    ['encap mpls 100 via 10.0.0.1 dev eth0', { gateway: '10.0.0.1', viaFamily: undefined, dev: 'eth0', next: 7 }],
    ['encap mpls 100 tos 0x10 dev eth0', { gateway: undefined, viaFamily: undefined, dev: 'eth0', next: 7 }],
    ['encap mpls 100 table main', { gateway: undefined, viaFamily: undefined, dev: undefined, next: 3 }],
    ['encap mpls 100 proto kernel', { gateway: undefined, viaFamily: undefined, dev: undefined, next: 3 }],
    ['encap mpls 100 scope link', { gateway: undefined, viaFamily: undefined, dev: undefined, next: 3 }],
    ['encap mpls 100 metric 5', { gateway: undefined, viaFamily: undefined, dev: undefined, next: 3 }],
    ['encap mpls 100', { gateway: undefined, viaFamily: undefined, dev: undefined, next: 3 }],
    // The end is searched after the encap, never before it.
    ['tos 0x10 encap mpls 100 dev eth0', { gateway: undefined, viaFamily: undefined, dev: 'eth0', next: 7 }],
  ]
  for (const [record, head] of cases) t.same(walk(record), head, record)
  t.same(walkRouteHead(wordsOf('10.0.0.0/8 encap mpls 100 dev eth0'), 1), { gateway: undefined, viaFamily: undefined, dev: 'eth0', next: 6 }, 'an encap after the destination')
})

t.test('pref: only a pref key with a preference value after the given position', async (t) => {
  const cases: [words: string, from: number, expected: boolean][] = [
    ['dev eth0 pref medium', 2, true],
    ['dev eth0 pref low', 2, true],
    ['dev eth0 pref high', 2, true],
    ['dev eth0 pref 1024', 2, true],
    ['dev eth0 pref', 2, false],
    ['dev eth0 pref xhigh', 2, false],
    ['dev eth0 pref highx', 2, false],
    ['dev eth0 pref 1024x', 2, false],
    ['dev pref pref medium', 2, true],
    ['pref high dev eth0', 2, false],
    ['dev eth0 metric 5', 2, false],
  ]
  for (const [words, from, expected] of cases) t.equal(hasPreference(wordsOf(words), from), expected, `${words} from ${from}`)
})

t.test('words: any run of white space separates, none is a word', async (t) => {
  t.same(wordsOf(' default  via\t10.0.0.1 dev eth0 '), ['default', 'via', '10.0.0.1', 'dev', 'eth0'])
  t.same(wordsOf(''), [])
})
