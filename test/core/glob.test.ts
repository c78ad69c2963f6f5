import { spawnSync } from 'node:child_process'
import fc from 'fast-check'
import t from 'tap'
import { compileGlob } from '../../src/core/glob.js'
import { checkIgnoreGlob, compileIgnore } from '../../src/core/ignore.js'

/** Fixed so a failure replays; fast-check's failure message names it with the shrunk case. */
const SEED = Number(process.env.NETMON_FC_SEED ?? 13_2026)

const matches = (glob: string, name: string): boolean => {
  const compiled = compileGlob(glob)
  if (!compiled.ok) throw new Error(`${glob}: ${compiled.error}`)
  return compiled.value(name)
}

t.test('the glob syntax users expect', async (t) => {
  const cases: [glob: string, yes: string[], no: string[]][] = [
    ['eth*', ['eth', 'eth0', 'eth10'], ['ens3', 'xeth0']],
    ['tap?', ['tap0'], ['tap', 'tap10']],
    ['eth[0-9]', ['eth0', 'eth9'], ['eth', 'etha', 'eth10']],
    ['wl[!a]*', ['wlp2s0', 'wl0'], ['wlan0', 'wl']],
    ['wl[^a]*', ['wlp2s0'], ['wlan0']],
    ['br[-_]*', ['br-abc', 'br_x'], ['bra']],
    ['[]x]', [']', 'x'], ['y']],
    ['[a-]', ['a', '-'], ['b']],
    ['v[[:digit:]][[:alpha:]]', ['v1a', 'v9Z'], ['va1', 'v11']],
    ['[![:digit:]-]', ['a', ':'], ['1', '-']],
    ['[[:alpha:][:digit:]]', ['a', '1'], ['-']],
    ['\\*x', ['*x'], ['ax']],
    ['a\\[b', ['a[b'], ['ab']],
    ['x!', ['x!'], ['x']],
    ['\\!x', ['!x'], ['x']],
    ['**a', ['a', 'bba'], ['ab']],
    ['[a.]', ['a', '.'], ['b']],
    ['[a=]', ['a', '='], ['b']],
    ['[a:]', ['a', ':'], ['b']],
    ['[[a]', ['[', 'a'], ['b']],
    ['[a-a]', ['a'], ['b']],
  ]
  for (const [glob, yes, no] of cases) {
    for (const name of yes) t.ok(matches(glob, name), `${glob} matches ${name}`)
    for (const name of no) t.notOk(matches(glob, name), `${glob} does not match ${name}`)
  }
})

t.test('what cannot match as written is refused with the reason, never matched as nothing', async (t) => {
  const refused: [glob: string, reason: RegExp][] = [
    ['eth[0-9', /"eth\[0-9": unclosed \[ at position 4 \(write \\\[ for a literal \[\)$/],
    ['[', /unclosed \[/],
    ['[]', /unclosed \[/],
    ['[!]', /unclosed \[/],
    ['x[a\\', /unclosed \[/],
    ['!eth0', /"!eth0": a leading ! \(exclusion\) is not supported/],
    ['eth[9-0]', /range 9-0 is reversed and would match nothing/],
    ['eth\\', /a trailing \\ escapes nothing/],
    ['x[[:num:]]', /unknown character class \[:num:\] \(known: alnum, alpha, blank, cntrl, digit, graph, lower, print, punct, space, upper, xdigit\)$/],
    ['x[[.a.]]', /: collating symbols and equivalence classes \(\[\. \.\.\.\) are not supported/],
    ['x[[=a=]]', /: collating symbols and equivalence classes \(\[= \.\.\.\) are not supported/],
    ['x[[:]', /\[: in a class opens a \[:name:\] that does not close/],
    ['x[[:alpha:x]', /\[: in a class opens a \[:name:\] that does not close/],
    [']x[[:]', /\[: in a class opens a \[:name:\] that does not close/],
    ['x[a-', /: unclosed \[ at position 2 \(write/],
  ]
  for (const [glob, reason] of refused) {
    const checked = checkIgnoreGlob(glob)
    t.match(checked, { ok: false, error: reason }, glob)
    if (!checked.ok) t.notMatch(checked.error, /\n/, 'one line')
    t.throws(() => compileIgnore([glob]), { message: reason }, `compileIgnore refuses ${glob} too`)
  }
  t.equal(compileIgnore(['', 'a*'])('ab'), true, 'empty entries (a,,b) are skipped')
  t.same(compileGlob(''), { ok: false, error: 'an empty pattern matches nothing' }, 'an empty glob on its own is refused')
})

/*
 * The oracle is bash's own matcher, `[[ name == glob ]]` in the C locale (bash 5.x:
 * ranges by code point). One bash per glob answers for all its names. Globs are built from
 * the characters that make classes and escapes tricky; there are no parentheses, so bash's
 * extglob forms (`?(...)`, `!(...)`) cannot arise. Only globs netmon accepts are compared:
 * the ones it refuses, bash takes literally or matches nothing with (tested above).
 */
const ALPHABET = ['a', 'b', '0', '-', '!', '^', ']', '[', '\\', '*', '?']
const char = fc.constantFrom(...ALPHABET)
const plain = fc.constantFrom('a', 'b', '0', '-', '!', '^', ']')
const word = fc.array(char, { maxLength: 3 }).map((chars) => chars.join(''))

/** A piece of a glob and a piece of a name likely to match it (the oracle decides). */
interface Piece {
  glob: string
  sample: string
}
const classMember = fc.oneof(
  char.map((c) => ({ glob: c, sample: c })),
  fc.tuple(char, char).map(([from, to]) => ({ glob: `${from}-${to}`, sample: from })),
  char.map((c) => ({ glob: `\\${c}`, sample: c })),
  fc.constantFrom(
    { glob: '[:digit:]', sample: '0' },
    { glob: '[:alpha:]', sample: 'a' },
    { glob: '[:punct:]', sample: '!' },
  ),
)
const piece: fc.Arbitrary<Piece> = fc.oneof(
  plain.map((c) => ({ glob: c, sample: c })),
  char.map((c) => ({ glob: `\\${c}`, sample: c })),
  word.map((sample) => ({ glob: '*', sample })),
  char.map((c) => ({ glob: '?', sample: c })),
  fc
    .tuple(fc.constantFrom('', '!', '^'), fc.array(classMember, { minLength: 1, maxLength: 3 }))
    .map(([negation, members]) => ({ glob: `[${negation}${members.map((m) => m.glob).join('')}]`, sample: members[0]?.sample ?? '' })),
  fc.constantFrom('[', '\\').map((c) => ({ glob: c, sample: c })),
)

const bashMatches = (glob: string, names: readonly string[]): boolean[] => {
  const script = 'for n in "${@:2}"; do if [[ $n == $1 ]]; then printf 1; else printf 0; fi; done'
  // Bash sources ~/.bashrc when its stdin is a socket (it takes that for sshd), and Node's
  // pipes are sockets: under Stryker's runner that ran pyenv's init for each of 400 globs and
  // timed the file out. No stdin and --norc keep the oracle to bash's matcher alone.
  const result = spawnSync('bash', ['--norc', '-c', script, 'oracle', glob, ...names], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH, LC_ALL: 'C' },
  })
  if (result.status !== 0) throw new Error(`bash failed: ${result.stderr}`)
  return [...result.stdout].map((bit) => bit === '1')
}

t.test('every POSIX class matches what bash matches, over all of ASCII', async (t) => {
  // NUL cannot be an argument; every other code point up to 0x7f is asked about.
  const names = Array.from({ length: 0x7f }, (_, index) => String.fromCodePoint(index + 1))
  for (const name of ['alnum', 'alpha', 'blank', 'cntrl', 'digit', 'graph', 'lower', 'print', 'punct', 'space', 'upper', 'xdigit']) {
    const glob = `[[:${name}:]]`
    const expected = bashMatches(glob, names)
    t.ok(expected.some(Boolean), `bash matches something with ${glob}`)
    t.same(names.filter((name) => matches(glob, name)), names.filter((_, index) => expected[index]), glob)
  }
})

t.test('a run of stars is one star: forty of them never backtrack', async (t) => {
  t.equal(matches(`${'*'.repeat(40)}x`, 'a'.repeat(60)), false)
  t.equal(matches(`${'*'.repeat(40)}x`, `${'a'.repeat(60)}x`), true)
})

t.test('property: every glob netmon accepts matches exactly what bash matches', async (t) => {
  let compared = 0
  let matched = 0
  fc.assert(
    fc.property(fc.array(piece, { minLength: 1, maxLength: 5 }), fc.array(word, { maxLength: 4 }), (pieces, others) => {
      const glob = pieces.map((p) => p.glob).join('')
      const compiled = compileGlob(glob)
      fc.pre(compiled.ok)
      if (!compiled.ok) return
      const names = [pieces.map((p) => p.sample).join(''), ...others]
      const expected = bashMatches(glob, names)
      compared += 1
      matched += expected.filter(Boolean).length
      const actual = names.map((name) => compiled.value(name))
      if (JSON.stringify(actual) !== JSON.stringify(expected)) {
        throw new Error(`glob ${JSON.stringify(glob)} over ${JSON.stringify(names)}: netmon ${JSON.stringify(actual)}, bash ${JSON.stringify(expected)}`)
      }
    }),
    { seed: SEED, numRuns: 400 },
  )
  t.ok(compared >= 300, `${compared} globs compared with bash`)
  t.ok(matched >= 100, `${matched} of the names matched (the comparison is not all misses)`)
})

t.test('property: any string either compiles or is refused with one line; never throws', async (t) => {
  fc.assert(
    fc.property(fc.string({ unit: fc.constantFrom(...ALPHABET, ':', '.', '=', 'é'), maxLength: 12 }), (glob) => {
      const compiled = compileGlob(glob)
      return compiled.ok || (compiled.error.length > 0 && !compiled.error.includes('\n'))
    }),
    { seed: SEED, numRuns: 2000 },
  )
  t.pass('2000 strings')
})
