import t from 'tap'
import type { CliIo } from '../../src/cli/io.js'
import { renderEvent, watchCommand } from '../../src/cli/watch-command.js'
import { changeLine, createFakeDaemon, discoveryLine, report } from '../helpers/fake-daemon.js'
import { sleep, waitUntil } from '../helpers/wait.js'

/** A CliIo that records output and lets the test send the stop signal. */
const fakeIo = () => {
  const out: string[] = []
  const err: string[] = []
  let handler: ((signal: string) => void) | undefined
  const io: CliIo = {
    writeOut: (text) => out.push(text),
    writeErr: (text) => err.push(text),
    onStopSignal: (next) => {
      handler = next
      return () => {
        handler = undefined
      }
    },
    onReloadSignal: () => () => {},
    setExitCode: () => {},
  }
  const waitOut = async (pattern: RegExp): Promise<void> => {
    if (!(await waitUntil(() => pattern.test(out.join('')), 5000, 25))) throw new Error(`no ${String(pattern)} in:\n${out.join('')}\n${err.join('')}`)
  }
  return { io, out, err, waitOut, stop: () => handler?.('SIGINT') }
}

for (const json of [false, true]) {
  t.test(`netmon watch${json ? ' --json' : ''}: events, bad lines, a restart, and SIGINT`, async (t) => {
    const fake = createFakeDaemon(t)
    fake.greeting = discoveryLine([report('ens37', 2, ['10.0.0.5/24'], { gateway: '10.0.0.1' })])
    const { io, out, err, waitOut, stop } = fakeIo()
    t.teardown(stop)
    const done = watchCommand({ socket: fake.path, json }, io, { backoff: { initialMs: 20, maxMs: 100 } })
    await sleep(60)
    await fake.start()
    await waitOut(json ? /"network_discovery"/ : /discovery: 1 interface\(s\)\n {2}ens37#2 UP ethernet 10\.0\.0\.5\/24 gw 10\.0\.0\.1/)
    fake.broadcast(changeLine(report('ens37', 2, [], { operstate: 'NOTPRESENT', status: 'removed' })))
    fake.broadcast('garbage\n')
    fake.broadcast('{"type":"network_future","data":{}}\n')
    await waitOut(/network_future/)
    await fake.stop()
    await fake.start()
    await waitOut(json ? /network_discovery[^]*network_discovery/ : /discovery \(after reconnecting\)/)
    stop()
    t.equal(await done, 0)
    const text = out.join('')
    if (json) {
      t.match(text, /"status":"removed"/)
      t.match(text, /^garbage$/m)
    } else {
      t.match(text, /change ens37#2 NOTPRESENT \[removed\] ethernet - gw -/)
      t.match(text, /^\? garbage$/m)
    }
    t.match(err.join(''), /cannot reach the daemon \(ENOENT\)/)
    t.match(err.join(''), /connected to .*netmon\.sock/)
    t.match(err.join(''), /bad line: invalid JSON/)
    t.match(err.join(''), /disconnected \(closed by the daemon\); reconnecting/)
  })
}

t.test('renderEvent prints the connection story on stderr only', async (t) => {
  t.same(renderEvent({ kind: 'retrying', error: 'closed by the daemon', attempt: 1, delayMs: 100 }, false), { err: undefined })
  t.same(renderEvent({ kind: 'retrying', error: 'ENOENT', attempt: 3, delayMs: 400 }, false), { err: undefined })
  t.same(renderEvent({ kind: 'unknown', type: 'x', message: { type: 'x' } }, true), { out: '{"type":"x"}', err: undefined })
})

t.test('netmon watch --json: a line too long to read is a reason on stderr, never an empty line on stdout', async (t) => {
  const fake = createFakeDaemon(t)
  fake.greeting = discoveryLine([report('ens37', 2, ['10.0.0.5/24'])])
  await fake.start()
  const { io, out, err, waitOut, stop } = fakeIo()
  t.teardown(stop)
  const done = watchCommand({ socket: fake.path, json: true }, io, { backoff: { initialMs: 20, maxMs: 100 }, maxLineBytes: 1000 })
  await waitOut(/"network_discovery"/)
  fake.broadcast('x'.repeat(2000))
  await waitOut(/network_discovery[^]*network_discovery/)
  stop()
  t.equal(await done, 0)
  t.match(err.join(''), /bad line: a line longer than 1000 bytes; reconnecting/)
  t.same(
    out.map((text) => (JSON.parse(text) as { type: string }).type),
    ['network_discovery', 'network_discovery'],
    'the discoveries before and after reconnecting, and nothing else',
  )
})
