import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { NETMON_BIN, startDaemonProcess } from '../helpers/daemon-process.js'
import { namespaceWithEns37 } from '../helpers/hosts.js'
import { createNamespace } from '../helpers/netns.js'
import { tempDir } from '../helpers/temp-dir.js'

const run = promisify(execFile)

const replay = (dir: string) =>
  run(process.execPath, [NETMON_BIN, 'replay', dir], { env: { ...process.env, TZ: 'UTC' } }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  )

t.test('netmon record captures a live case that netmon replay reproduces event for event', async (t) => {
  const ns = await namespaceWithEns37(t, 'rec')
  if (ns === undefined) return
  const out = join(tempDir(t, 'rec'), 'case')
  const recorder = startDaemonProcess(t, ns, ['record', '--out', out, '--description', 'a test case', '--debounce', '200', '--duration', '3000'])
  await recorder.stderr.waitFor((line) => line.includes('"msg":"ready"'))
  await ns.ip('addr', 'add', '10.77.0.6/24', 'dev', 'ens37')
  await ns.ip('route', 'add', 'default', 'via', '10.77.0.1', 'dev', 'ens37')
  t.equal((await recorder.exited).exitCode, 0, 'stops by itself after --duration')
  const expected = readFileSync(join(out, 'expected.jsonl'), 'utf8')
  t.equal(expected.split('\n').filter(Boolean).length, 2, 'a discovery and one change')
  t.match(JSON.parse(readFileSync(join(out, 'case.json'), 'utf8')), { description: 'a test case', options: { debounceMs: 200 } })
  const inputs = readFileSync(join(out, 'inputs.jsonl'), 'utf8')
  t.match(inputs, /"type":"resync","at":[\d.]+,"reason":"startup"/)
  t.match(inputs, /"type":"tick"/)
  const replayed = await replay(out)
  t.equal(replayed.code, 0)
  t.equal(replayed.stderr, '')
  t.equal(replayed.stdout, expected, 'replay prints exactly what the live daemon emitted')
})

t.test('record and replay fail with one line on a bad folder', async (t) => {
  const missing = await replay(join(tmpdir(), 'nm-no-such-fixture'))
  t.equal(missing.code, 1)
  t.match(missing.stderr, /^netmon replay: cannot read .*case\.json: is .* a fixture folder\?\n$/)
  const ns = await createNamespace(t, 'recbad')
  if (ns === undefined) return
  const recorder = startDaemonProcess(t, ns, ['record', '--out', '/proc/nm-no/case', '--duration', '100'])
  t.equal((await recorder.exited).exitCode, 1)
  t.match(recorder.stderr.lines.join('\n'), /^netmon record: cannot write a fixture to \/proc\/nm-no\/case: pass a writable --out folder$/)
})

t.test('netmon record without --duration records until SIGTERM, then closes the fixture', async (t) => {
  const ns = await namespaceWithEns37(t, 'recsig')
  if (ns === undefined) return
  const out = join(tempDir(t, 'recsig'), 'case')
  const recorder = startDaemonProcess(t, ns, ['record', '--out', out, '--debounce', '200'])
  await recorder.stderr.waitFor((line) => line.includes('"msg":"ready"'))
  await ns.ip('route', 'add', 'default', 'via', '10.77.0.1', 'dev', 'ens37')
  await new Promise((resolve) => setTimeout(resolve, 1500))
  t.equal(recorder.exited.exitCode, null, 'still recording well past its debounce: no time limit')
  t.equal(await recorder.stop(), 0, 'SIGTERM stops it with exit 0')
  const events = readFileSync(join(out, 'expected.jsonl'), 'utf8').split('\n').filter(Boolean)
  t.match(
    events.map((line) => JSON.parse(line) as unknown),
    [{ type: 'network_discovery' }, { type: 'network_change', data: { interface: 'ens37', gateway: '10.77.0.1' } }],
    'the discovery and the change made before the signal',
  )
  t.equal((await replay(out)).stdout, `${events.join('\n')}\n`, 'and replay reproduces them')
})
