import fc from 'fast-check'
import t from 'tap'
import { createBoundedLines } from '../../src/core/bounded-lines.js'
import { FUZZ_SEED } from '../helpers/command-lines.js'

/** A line as [its length in bytes, as `peek` said, its text], or a refusal. */
type Event = [number, string] | 'too-long'
const NEWLINE = 0x0a

/** How a reader treats a line over the bound: the socket framing stops, the others skip it. */
type Mode = 'stop' | 'skip'

/**
 * What a reader gets from `chunks`: the lines and refusals, then the tail at the end. After
 * a chunk whose `budgets` entry is a number it takes at most that many lines and peeks at
 * the next, as the socket framing does when the command budget runs out, and catches up
 * after a later chunk.
 */
const read = (chunks: Uint8Array[], max: number, mode: Mode, budgets: (number | null)[] = []): { events: Event[]; rest: string; maxPending: number } => {
  const lines = createBoundedLines(max)
  const events: Event[] = []
  let maxPending = 0
  /** False once a stopping reader met a line over the bound. */
  const drain = (budget = Number.POSITIVE_INFINITY): boolean => {
    let taken = 0
    for (let next = lines.peek(); next !== undefined; next = lines.peek()) {
      if (next === 'too-long') {
        events.push('too-long')
        if (mode === 'stop') return false
        lines.skip()
        continue
      }
      if (taken === budget) return true
      events.push([next, lines.take()])
      taken += 1
    }
    maxPending = Math.max(maxPending, lines.pendingBytes())
    return true
  }
  for (const [index, chunk] of chunks.entries()) {
    lines.push(chunk)
    if (!drain(budgets[index] ?? undefined)) return { events, rest: '', maxPending }
  }
  if (!drain()) return { events, rest: '', maxPending }
  return { events, rest: lines.rest(), maxPending }
}

/** The same, worked out on the whole stream at once with Buffer's own methods. */
const oracle = (stream: Buffer, max: number, mode: Mode): { events: Event[]; rest: string } => {
  const events: Event[] = []
  let from = 0
  for (let at = stream.indexOf(NEWLINE); at >= 0; from = at + 1, at = stream.indexOf(NEWLINE, from)) {
    const line = stream.subarray(from, at)
    events.push(line.length > max ? 'too-long' : [line.length, line.toString('utf8')])
    if (mode === 'stop' && line.length > max) return { events, rest: '' }
  }
  const tail = stream.subarray(from)
  if (tail.length <= max) return { events, rest: tail.toString('utf8') }
  events.push('too-long')
  return { events, rest: '' }
}

/** Bytes rich in newlines, multi-byte characters and invalid UTF-8. */
const streamBytes = fc
  .array(
    fc.oneof(
      fc.constant(Buffer.from('\n')),
      fc.uint8Array({ maxLength: 12 }).map((bytes) => Buffer.from(bytes)),
      fc.string({ unit: 'binary', maxLength: 8 }).map((text) => Buffer.from(text)),
    ),
    { maxLength: 40 },
  )
  .map((pieces) => Buffer.concat(pieces))

const cutAt = (stream: Buffer, cuts: number[]): Buffer[] => {
  const points = [...new Set(cuts.map((cut) => cut % (stream.length + 1)))].sort((a, b) => a - b)
  return [...points, stream.length].map((point, index, all) => stream.subarray(index === 0 ? 0 : all[index - 1], point))
}

for (const mode of ['stop', 'skip'] as const) {
  t.test(`property (${mode}): lines are the same wherever the stream is cut; a long one is reported, never delivered`, async (t) => {
    t.comment(`fast-check seed ${FUZZ_SEED} (FC_SEED=... to explore)`)
    fc.assert(
      fc.property(streamBytes, fc.array(fc.nat(400)), fc.array(fc.option(fc.nat(3))), fc.integer({ min: 0, max: 40 }), (stream, cuts, budgets, max) => {
        const { maxPending, ...got } = read(cutAt(stream, cuts), max, mode, budgets)
        const expected = oracle(stream, max, mode)
        if (JSON.stringify(got) !== JSON.stringify(expected)) throw new Error(`cut: ${JSON.stringify(got)}\nwhole: ${JSON.stringify(expected)}`)
        // A reader that drains keeps no more than the bound once it has.
        if (maxPending > max) throw new Error(`${maxPending} bytes pending over a bound of ${max}`)
      }),
      { seed: FUZZ_SEED, numRuns: 2000 },
    )
    t.pass('2000 streams, each cut at random')
  })
}

t.test('a character cut between chunks arrives whole; a byte order mark is kept', async (t) => {
  const text = Buffer.from('\uFEFFcafé ⚡ \u{1F600}\n')
  t.same(read([...text].map((byte) => Uint8Array.of(byte)), 64, 'stop').events, [[text.length - 1, '\uFEFFcafé ⚡ \u{1F600}']])
})

t.test('white space and blank lines are the reader\'s business', async (t) => {
  t.same(read([Buffer.from('  indented \r\n\n')], 64, 'stop').events, [[12, '  indented \r'], [0, '']])
})

t.test('rest is what came after the last newline, and nothing of a line being skipped', async (t) => {
  t.same(read([Buffer.from('one\ntw'), Buffer.from('o')], 8, 'skip'), { events: [[3, 'one']], rest: 'two', maxPending: 3 })
  t.same(read([Buffer.from('one\nxxxxxxxxxx'), Buffer.from('yy')], 8, 'skip'), { events: [[3, 'one'], 'too-long'], rest: '', maxPending: 0 })
  const lines = createBoundedLines(8)
  lines.push(Buffer.from('a\nb\nc'))
  t.equal(lines.peek(), 1)
  t.equal(lines.take(), 'a')
  t.equal(lines.rest(), 'c', 'lines not yet taken are not part of it')
  t.equal(lines.pendingBytes(), 3, 'but they are pending')
})

t.test('a skipped line is dropped up to its newline, however many chunks it spans', async (t) => {
  const chunks = [Buffer.from('ok\n' + 'x'.repeat(10)), Buffer.from('x'.repeat(10)), Buffer.from('xx\nnext\n')]
  t.same(read(chunks, 5, 'skip').events, [[2, 'ok'], 'too-long', [4, 'next']])
})

t.test('the caller\'s chunk is not held once its lines are taken', async (t) => {
  const unfinished = createBoundedLines(64)
  const first = Buffer.from('no newline')
  unfinished.push(first)
  t.equal(unfinished.peek(), undefined)
  first.fill('!')
  unfinished.push(Buffer.from(' yet\n'))
  t.equal(unfinished.peek(), 14)
  t.equal(unfinished.take(), 'no newline yet', 'a chunk without a newline was copied too')
  const lines = createBoundedLines(64)
  const chunk = Buffer.from('first\nsecond')
  lines.push(chunk)
  t.equal(lines.peek(), 5)
  t.equal(lines.take(), 'first')
  t.equal(lines.peek(), undefined)
  chunk.fill('!')
  lines.push(Buffer.from(' half\n'))
  t.equal(lines.peek(), 11)
  t.equal(lines.take(), 'second half', 'the tail was copied before the chunk was reused')
})

t.test('take without a line measured is a bug, and says so', async (t) => {
  const lines = createBoundedLines(64)
  lines.push(Buffer.from('no newline yet'))
  t.throws(() => lines.take(), /call peek first/)
})

t.test('many small chunks without a newline cost linear time', async (t) => {
  // Concatenating and re-scanning the pending bytes on each chunk made this quadratic: the
  // former splitter got through 150 KiB in 5 s. The loop gives up at the budget (CPU time,
  // which other processes on the machine do not inflate), so a regression fails, not hangs.
  const size = 512 * 1024
  const budgetMs = 5000
  const lines = createBoundedLines(16 * 1024 * 1024)
  const byte = Buffer.from('x')
  const before = process.cpuUsage()
  const cpuMs = (): number => {
    const used = process.cpuUsage(before)
    return (used.user + used.system) / 1000
  }
  let pushed = 0
  for (; pushed < size && (pushed % 1024 !== 0 || cpuMs() < budgetMs); pushed += 1) {
    lines.push(byte)
    lines.peek()
  }
  lines.push(Buffer.from('\n'))
  t.equal(pushed, size, `${size} bytes in 1-byte chunks within ${budgetMs} ms of CPU (took ${Math.round(cpuMs())} ms)`)
  t.equal(lines.peek(), pushed, 'then the line arrives whole')
  t.equal(lines.take().length, pushed)
})
