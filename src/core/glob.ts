import { fail, ok, type Result } from './result.js'

/*
 * Shell globs over interface names, as bash's `[[ name == glob ]]` matches them in the C
 * locale: `*` any run of characters, `?` one character, `[...]` a class with ranges
 * (`[0-9]`), negation (`[!...]` or `[^...]`), a literal `]` first and `-` first or last,
 * POSIX classes (`[[:digit:]]`), and `\` to take the next character literally. What bash
 * would take literally or match nothing with (an unclosed `[`, a reversed range, a trailing
 * `\`, collating symbols) is refused with the reason, so that a pattern never silently
 * matches nothing. A leading `!` is refused too: it reads as "all but", which a list of
 * names to ignore does not do.
 */

type Range = readonly [from: number, to: number]

const POSIX_CLASSES = {
  alnum: [[0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a]],
  alpha: [[0x41, 0x5a], [0x61, 0x7a]],
  blank: [[0x09, 0x09], [0x20, 0x20]],
  cntrl: [[0x00, 0x1f], [0x7f, 0x7f]],
  digit: [[0x30, 0x39]],
  graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]],
  print: [[0x20, 0x7e]],
  punct: [[0x21, 0x2f], [0x3a, 0x40], [0x5b, 0x60], [0x7b, 0x7e]],
  space: [[0x09, 0x0d], [0x20, 0x20]],
  upper: [[0x41, 0x5a]],
  xdigit: [[0x30, 0x39], [0x41, 0x46], [0x61, 0x66]],
} satisfies Record<string, Range[]>

const isPosixClass = (name: string): name is keyof typeof POSIX_CLASSES => Object.hasOwn(POSIX_CLASSES, name)

/** The code point of one element of `[...glob]`: never an empty string, so always defined. */
const codePointOf = (char: string): number => char.codePointAt(0) as number

/** One character as a regular-expression atom that means only itself (`u` flag). */
const literal = (codePoint: number): string => `\\u{${codePoint.toString(16)}}`

// Stryker disable next-line ConditionalExpression: a range from a character to itself means that character; the short form only reads better
const rangeSource = ([from, to]: Range): string => (from === to ? literal(from) : `${literal(from)}-${literal(to)}`)

interface ClassParse {
  source: string
  /** Index just past the closing `]`. */
  end: number
}

/** Parses the class whose `[` is at `chars[start]`. */
const parseClass = (chars: readonly string[], start: number): Result<ClassParse> => {
  let index = start + 1
  const negated = chars[index] === '!' || chars[index] === '^'
  if (negated) index += 1
  const ranges: Range[] = []
  let first = true
  for (;;) {
    const char = chars[index]
    if (char === undefined) return fail(`unclosed [ at position ${start + 1} (write \\[ for a literal [)`)
    if (char === ']' && !first) return ok({ source: `[${negated ? '^' : ''}${ranges.map(rangeSource).join('')}]`, end: index + 1 })
    first = false
    if (char === '[' && (chars[index + 1] === '.' || chars[index + 1] === '=')) {
      return fail(`collating symbols and equivalence classes ([${chars[index + 1]} ...) are not supported (write \\[ for a literal [)`)
    }
    if (char === '[' && chars[index + 1] === ':') {
      const close = chars.indexOf(':', index + 2)
      if (close === -1 || chars[close + 1] !== ']') return fail(`[: in a class opens a [:name:] that does not close (write \\[ for a literal [)`)
      const name = chars.slice(index + 2, close).join('')
      if (!isPosixClass(name)) return fail(`unknown character class [:${name}:] (known: ${Object.keys(POSIX_CLASSES).join(', ')})`)
      ranges.push(...POSIX_CLASSES[name])
      index = close + 2
      continue
    }
    const from = readMember(chars, index)
    if (!from.ok) return from
    index = from.value.end
    if (chars[index] === '-' && chars[index + 1] !== ']' && chars[index + 1] !== undefined) {
      const to = readMember(chars, index + 1)
      if (!to.ok) return to
      if (to.value.codePoint < from.value.codePoint) {
        return fail(`range ${chars.slice(from.value.start, to.value.end).join('')} is reversed and would match nothing`)
      }
      ranges.push([from.value.codePoint, to.value.codePoint])
      index = to.value.end
    } else {
      ranges.push([from.value.codePoint, from.value.codePoint])
    }
  }
}

/** One class member, `\`-escaped or not. */
const readMember = (chars: readonly string[], index: number): Result<{ codePoint: number; start: number; end: number }> => {
  const escaped = chars[index] === '\\'
  const char = chars[escaped ? index + 1 : index]
  if (char === undefined) return fail(`unclosed [ (a class needs its closing ])`)
  return ok({ codePoint: codePointOf(char), start: index, end: index + (escaped ? 2 : 1) })
}

/** Compiles one glob into a predicate over whole names, or says why it is refused. */
export const compileGlob = (glob: string): Result<(name: string) => boolean> => {
  const chars = [...glob]
  if (chars.length === 0) return fail('an empty pattern matches nothing')
  if (chars[0] === '!') return fail('a leading ! (exclusion) is not supported; use [!...] to negate a character class, or \\! for a literal !')
  let source = ''
  for (let index = 0; ; ) {
    const char = chars[index]
    if (char === undefined) break
    switch (char) {
      case '*':
        if (!source.endsWith('.*')) source += '.*'
        index += 1
        break
      case '?':
        source += '.'
        index += 1
        break
      case '[': {
        const parsed = parseClass(chars, index)
        if (!parsed.ok) return parsed
        source += parsed.value.source
        index = parsed.value.end
        break
      }
      case '\\': {
        const next = chars[index + 1]
        if (next === undefined) return fail('a trailing \\ escapes nothing (write \\\\ for a literal \\)')
        source += literal(codePointOf(next))
        index += 2
        break
      }
      default:
        source += literal(codePointOf(char))
        index += 1
    }
  }
  const pattern = new RegExp(`^${source}$`, 'su')
  return ok((name) => pattern.test(name))
}
