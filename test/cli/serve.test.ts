import t from 'tap'
import { runProgram } from './run-program.js'

const logLines = (err: string): Record<string, unknown>[] =>
  err
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line.replace(/^<\d>/, '')) as Record<string, unknown>)

t.test('a daemon that cannot start logs one error line and exits 1; the code goes with it when there is one', async (t) => {
  const missing = await runProgram(['--no-socket', '--ip', '/nonexistent/netmon-test/ip'])
  t.equal(missing.exitCode, 1)
  t.match(logLines(missing.err), [{ level: 'error', msg: /^cannot run \/nonexistent\/netmon-test\/ip \(ENOENT\)/, code: 'ERR_IP_NOT_FOUND' }])
  t.equal(missing.out, '')

  // Node refuses an empty file name itself, before netmon's own errors: no stable code to give.
  const empty = await runProgram(['--no-socket', '--ip', ''])
  t.equal(empty.exitCode, 1)
  const lines = logLines(empty.err)
  t.match(lines, [{ level: 'error', msg: /cannot be empty/ }])
  t.notOk(lines.some((line) => 'code' in line), 'no code field, not even an empty one')
})
