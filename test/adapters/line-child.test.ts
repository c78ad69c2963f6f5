import { fileURLToPath } from 'node:url'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import t from 'tap'
import { startLineChild } from '../../src/adapters/line-child.js'
import { isRunning } from '../helpers/proc-stats.js'
import { waitUntil } from '../helpers/wait-until.js'

const collect = (): { out: string[]; err: string[]; callbacks: Parameters<typeof startLineChild>[2] } => {
  const out: string[] = []
  const err: string[] = []
  return { out, err, callbacks: { onStdoutLine: (line) => out.push(line), onStderrLine: (line) => err.push(line) } }
}

t.test('every line of stdout and stderr, then the exit code', async (t) => {
  const { out, err, callbacks } = collect()
  const child = startLineChild('sh', ['-c', 'echo one; echo oops >&2; printf "two\\nlast-without-newline"; exit 3'], callbacks)
  t.type(child.pid, 'number')
  t.same(await child.ended, { kind: 'exited', code: 3 })
  t.same(out, ['one', 'two', 'last-without-newline'])
  t.same(err, ['oops'])
})

t.test('a killed child ends with its signal', async (t) => {
  const child = startLineChild('sleep', ['30'], collect().callbacks)
  process.kill(child.pid ?? 0, 'SIGKILL')
  t.same(await child.ended, { kind: 'signalled', signal: 'SIGKILL' })
})

t.test('a missing binary ends without a pid and says why', async (t) => {
  const child = startLineChild('/nonexistent/ip', ['monitor'], collect().callbacks)
  t.equal(child.pid, undefined)
  t.match(await child.ended, { kind: 'failed-to-start', message: /ENOENT/ })
})

t.test('stop: SIGTERM, then SIGKILL for a child that ignores it', async (t) => {
  const polite = startLineChild('sleep', ['30'], collect().callbacks)
  t.same(await polite.stop(5000), { kind: 'signalled', signal: 'SIGTERM' })
  const { out, callbacks } = collect()
  const stubborn = startLineChild(process.execPath, ['-e', "process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000)"], callbacks)
  await waitUntil(() => out.length > 0, 5000)
  const started = Date.now()
  t.same(await stubborn.stop(200), { kind: 'signalled', signal: 'SIGKILL' })
  t.ok(Date.now() - started < 3000, 'killed soon after the grace time')
  t.same(await stubborn.stop(200), { kind: 'signalled', signal: 'SIGKILL' }, 'stopping twice is harmless')
})

t.test('the child does not outlive this process, even when it crashes', async (t) => {
  // The built module (npm test builds first): a plain node child needs no TypeScript loader.
  const lineChild = fileURLToPath(new URL('../../dist/adapters/line-child.js', import.meta.url))
  const script = [
    `const { startLineChild } = await import(${JSON.stringify(lineChild)})`,
    "const child = startLineChild('sleep', ['60'], { onStdoutLine() {}, onStderrLine() {} })",
    'console.log(child.pid)',
    "throw new Error('crash on purpose')",
  ].join('\n')
  const run = promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]).catch(
    (error: { stdout: string; stderr: string }) => error,
  )
  const { stdout, stderr } = await run
  t.match(stderr, /crash on purpose/)
  const pid = Number(stdout.trim())
  t.ok(pid > 0, `the child's pid was printed: ${stdout}`)
  t.teardown(() => {
    if (pid > 0 && isRunning(pid)) process.kill(pid, 'SIGKILL')
  })
  await waitUntil(() => !isRunning(pid), 5000, 50)
  t.notOk(isRunning(pid), `sleep (pid ${pid}) is gone`)
})
