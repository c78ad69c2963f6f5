import { fstatSync } from 'node:fs'
import t from 'tap'
import { createLogger, isLogLevel, stderrLogFormat, type FdIdentity } from '../../src/adapters/logger.js'

const AT = new Date('2026-01-02T03:04:05.678Z')
const collect = (format: 'json' | 'journal'): { lines: string[]; logger: ReturnType<typeof createLogger> } => {
  const lines: string[] = []
  return { lines, logger: createLogger('debug', (line) => lines.push(line), () => AT, format) }
}

t.test('journal format: each line starts with its syslog priority, then the same JSON', async (t) => {
  const { lines, logger } = collect('journal')
  logger.error('e', { code: 'X' })
  logger.warn('w')
  logger.info('i')
  logger.debug('d')
  t.same(
    lines.map((l) => l.slice(0, 3)),
    ['<3>', '<4>', '<6>', '<7>'],
  )
  t.same(JSON.parse(lines[0]?.slice(3) ?? ''), { time: AT.toISOString(), level: 'error', msg: 'e', code: 'X' })
  t.ok(lines.every((l) => l.endsWith('}\n') && l.split('\n').length === 2), 'one line each')
})

t.test('json format (the default): plain JSON lines, no prefix', async (t) => {
  const { lines, logger } = collect('json')
  logger.warn('w')
  t.equal(lines[0], `{"time":"${AT.toISOString()}","level":"warn","msg":"w"}\n`)
  const plain: string[] = []
  createLogger('info', (line) => plain.push(line), () => AT).info('i')
  t.match(plain[0], /^\{"time"/)
})

t.test('the level threshold applies in journal format too', async (t) => {
  const lines: string[] = []
  const logger = createLogger('warn', (line) => lines.push(line), () => AT, 'journal')
  logger.info('dropped')
  logger.debug('dropped')
  logger.warn('kept')
  t.same(lines.map((l) => l.slice(0, 3)), ['<4>'])
})

t.test('stderrLogFormat: journal only when JOURNAL_STREAM names stderr itself', async (t) => {
  const stderr: FdIdentity = (fd) => (fd === 2 ? { dev: 64769n, ino: 123456789n } : undefined)
  t.equal(stderrLogFormat({}, stderr), 'json', 'unset')
  t.equal(stderrLogFormat({ JOURNAL_STREAM: '' }, stderr), 'json', 'empty')
  t.equal(stderrLogFormat({ JOURNAL_STREAM: '64769:123456789' }, stderr), 'journal', 'matches')
  t.equal(stderrLogFormat({ JOURNAL_STREAM: '64769:123456780' }, stderr), 'json', 'another inode: inherited, stderr redirected')
  t.equal(stderrLogFormat({ JOURNAL_STREAM: '1:123456789' }, stderr), 'json', 'another device')
  t.equal(stderrLogFormat({ JOURNAL_STREAM: 'garbage' }, stderr), 'json', 'malformed')
  t.equal(stderrLogFormat({ JOURNAL_STREAM: '64769:123456789' }, () => undefined), 'json', 'stderr closed')
})

t.test('stderrLogFormat with the real fstat of this process stderr', async (t) => {
  const st = fstatSync(2, { bigint: true })
  t.equal(stderrLogFormat({ JOURNAL_STREAM: `${st.dev}:${st.ino}` }), 'journal')
  t.equal(stderrLogFormat({ JOURNAL_STREAM: `${st.dev}:${st.ino + 1n}` }), 'json')
})

t.test('isLogLevel: the four levels, nothing else', async (t) => {
  t.same(['debug', 'info', 'warn', 'error', 'trace', 'WARN', ''].filter(isLogLevel), ['debug', 'info', 'warn', 'error'])
})
