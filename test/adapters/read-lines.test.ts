import { PassThrough } from 'node:stream'
import t from 'tap'
import { readLines } from '../../src/adapters/read-lines.js'

/** Feeds `chunks` to readLines and returns what it reported, in order. */
const readAll = async (chunks: (string | Buffer)[], maxLineBytes: number, encoding?: BufferEncoding): Promise<string[]> => {
  const source = new PassThrough()
  if (encoding !== undefined) source.setEncoding(encoding)
  const seen: string[] = []
  readLines(source, maxLineBytes, { onLine: (line) => seen.push(line), onOverlong: () => seen.push('<overlong>') })
  const ended = new Promise((resolve) => source.once('end', resolve))
  for (const chunk of chunks) source.write(chunk)
  source.end()
  await ended
  return seen
}

t.test('lines as sent, blank ones and leading white space included, then the tail at the end', async (t) => {
  t.same(await readAll(['one\n\n    link/ether 52:54', ':00:12:34:56\nlast'], 64), ['one', '', '    link/ether 52:54:00:12:34:56', 'last'])
})

t.test('a line over the bound is reported once and dropped up to its newline, wherever the chunks end', async (t) => {
  const long = 'x'.repeat(40)
  t.same(await readAll([`a\n${long}\nb\n`], 16), ['a', '<overlong>', 'b'], 'a long line complete in one chunk')
  t.same(await readAll(['a\n', long.slice(0, 20), long.slice(20), '\nb\n'], 16), ['a', '<overlong>', 'b'], 'the same line over three chunks')
  t.same(await readAll(['a\n', long, long], 16), ['a', '<overlong>'], 'a long tail at the end is not delivered')
})

t.test('the bound counts bytes, not characters', async (t) => {
  t.same(await readAll(['é'.repeat(8), '\n', 'é'.repeat(9), '\n'], 16), ['é'.repeat(8), '<overlong>'])
})

t.test('a stream that emits text is read the same', async (t) => {
  t.same(await readAll([Buffer.from('café\nx'), Buffer.from('é'.repeat(9)), Buffer.from('\nok\n')], 16, 'utf8'), ['café', '<overlong>', 'ok'])
})
