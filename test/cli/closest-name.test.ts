import t from 'tap'
import { closestName } from '../../src/cli/closest-name.js'

const COMMANDS = ['record', 'replay', 'health', 'watch', 'help']

t.test('a mistyped command: the candidate within two edits, and under half its length', async (t) => {
  const cases: [word: string, expected: string | undefined][] = [
    ['helth', 'health'],
    ['haelth', 'health'],
    ['wacth', 'watch'],
    ['recrod', 'record'],
    ['replya', 'replay'],
    ['rec', undefined],
    ['hp', undefined],
    ['zzz', undefined],
    ['', undefined],
  ]
  for (const [word, expected] of cases) t.equal(closestName(word, COMMANDS), expected, `${JSON.stringify(word)} -> ${String(expected)}`)
})

t.test('a swap of neighbours counts as one edit', async (t) => {
  t.equal(closestName('abc', ['bac']), 'bac', 'one edit, under half of three letters (two substitutions would not be)')
  t.equal(closestName('ab', ['ba']), undefined, 'one edit is half of two letters: too far')
  t.equal(closestName('abcd', ['badc']), undefined, 'two swaps are two edits: half of four, too far')
  t.equal(closestName('abcde', ['badce']), 'badce', 'two swaps, under half of five')
  t.equal(closestName('abcdef', ['bacdfe', 'xyzdef']), 'bacdfe')
})

t.test('the nearest candidate wins; on a tie, the first listed', async (t) => {
  t.equal(closestName('relay', ['record', 'replay']), 'replay', 'a later, nearer candidate replaces an earlier one')
  t.equal(closestName('reply', ['replay', 'repl']), 'replay', 'one edit each: the first listed')
  t.equal(closestName('reply', ['repl', 'replay']), 'repl', 'one edit each, the other order')
  t.equal(closestName('hlep', ['help', 'held']), 'help', 'a swap (one edit) beats two substitutions, whatever the order')
  t.equal(closestName('hlep', ['held', 'help']), 'help')
})
