import fc from 'fast-check'
import t from 'tap'
import { createBoundedLines } from '../../src/core/bounded-lines.js'
import { FUZZ_SEED } from '../helpers/command-lines.js'

const takeAll = (chunks: Buffer[], max: number): (string | 'too-long')[] => {
  const lines = createBoundedLines(max)
  const out: (string | 'too-long')[] = []
  for (const chunk of chunks) {
    lines.push(chunk)
    for (let next = lines.peek(); next !== undefined; next = lines.peek()) {
      if (next === 'too-long') return [...out, 'too-long']
      out.push(lines.take())
    }
  }
  return out
}

t.test('property: lines are the same wherever the stream is cut; a long one is refused', async (t) => {
  t.comment(`fast-check seed ${FUZZ_SEED}`)
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 400 }), fc.array(fc.nat(400)), fc.integer({ min: 1, max: 40 }), (bytes, cuts, max) => {
      const stream = Buffer.from(bytes)
      const points = [...new Set(cuts.map((cut) => cut % (stream.length + 1)))].sort((a, b) => a - b)
      const chunks = [...points, stream.length].map((point, index, all) => stream.subarray(index === 0 ? 0 : all[index - 1], point))
      const whole = stream.toString('latin1').split('\n')
      const tail = whole.pop() ?? ''
      const expected: (string | 'too-long')[] = []
      for (const [index, line] of whole.entries()) {
        if (line.length > max) {
          expected.push('too-long')
          break
        }
        expected.push(stream.subarray(whole.slice(0, index).join('\n').length + (index > 0 ? 1 : 0)).subarray(0, line.length).toString('utf8').trim())
      }
      if (expected.at(-1) !== 'too-long' && tail.length > max) expected.push('too-long')
      const got = takeAll(chunks, max)
      // A line that passes the bound is refused as soon as it is seen, maybe before its newline.
      return JSON.stringify(got) === JSON.stringify(expected)
    }),
    { seed: FUZZ_SEED, numRuns: 3000 },
  )
  t.pass('3000 streams')
})
