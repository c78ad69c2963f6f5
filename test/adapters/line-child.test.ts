import { fileURLToPath } from 'node:url'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import t from 'tap'
import { startLineChild } from '../../src/adapters/line-child.js'
import { isRunning } from '../helpers/proc-stats.js'
import { waitUntil } from '../helpers/wait.js'

const collect = (): { out: string[]; err: string[]; overlong: string[]; callbacks: Parameters<typeof startLineChild>[2] } => {
  const out: string[] = []
  const err: string[] = []
  const overlong: string[] = []
  return {
    out,
    err,
    overlong,
    callbacks: { onStdoutLine: (line) => out.push(line), onStderrLine: (line) => err.push(line), onOverlong: (stream) => overlong.push(stream) },
  }
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
    "const child = startLineChild('sleep', ['60'], { onStdoutLine() {}, onStderrLine() {}, onOverlong() {} })",
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

t.test('a line without end costs linear time and bounded memory, and is reported once as dropped', async (t) => {
  const { out, err, overlong, callbacks } = collect()
  const cpuBefore = process.cpuUsage()
  let peakRss = process.memoryUsage().rss
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20)
  t.teardown(() => clearInterval(sampler))
  const rssBefore = process.memoryUsage().rss
  // 30 MB without a newline on stdout, then a record; 1 MB on stderr, then a line.
  const script = [
    'head -c 30000000 /dev/zero | tr "\\0" x',
    'printf "\\n[LINK]2: ens37: <UP> mtu 1500\\n"',
    'head -c 1000000 /dev/zero | tr "\\0" y >&2',
    'printf "\\nafter\\n" >&2',
  ].join('; ')
  const child = startLineChild('sh', ['-c', script], callbacks, 64 * 1024)
  t.same(await child.ended, { kind: 'exited', code: 0 })
  clearInterval(sampler)
  const cpu = process.cpuUsage(cpuBefore)
  const cpuMs = (cpu.user + cpu.system) / 1000
  t.same(out, ['[LINK]2: ens37: <UP> mtu 1500'], 'the record after the long line arrives whole')
  t.same(err, ['after'])
  t.same(overlong.sort(), ['stderr', 'stdout'], 'each dropped line is reported once')
  // Unbounded, split2 took 12.8 s of CPU and 336 MB for 30 MB; bounded, about 0.1 s.
  t.ok(cpuMs < 3000, `CPU for 31 MB of input: ${Math.round(cpuMs)} ms`)
  t.ok(peakRss - rssBefore < 64 * 1024 * 1024, `RSS grew by ${Math.round((peakRss - rssBefore) / 1e6)} MB`)
})
