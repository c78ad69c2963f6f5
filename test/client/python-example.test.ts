import { fileURLToPath } from 'node:url'
import { execa } from 'execa'
import t from 'tap'
import { startDaemonProcess } from '../helpers/daemon-process.js'
import { collectLines } from '../helpers/lines.js'
import { namespaceWithEns37, socketPath } from '../helpers/one-interface.js'

const SCRIPT = fileURLToPath(new URL('../../examples/python/netmon_client.py', import.meta.url))

t.test('examples/python/netmon_client.py against the real daemon: cache, lookup, reconnect', async (t) => {
  const python = await execa('python3', ['--version'], { reject: false })
  if (python.exitCode !== 0) {
    if (process.env.CI === 'true') t.fail('python3 is needed to run the Python example')
    else t.skip('no python3', () => {})
    return
  }
  const ns = await namespaceWithEns37(t, 'py')
  if (ns === undefined) return
  const socket = socketPath(t, 'py')
  const args = ['--socket', socket, '--debounce', '200']

  // Started before the daemon: the example must wait for the socket.
  const child = execa('python3', [SCRIPT, '--socket', socket, '--lookup', '10.88.1.1', '--lookup', '10.77.0.9', '--status'], {
    reject: false,
    stdin: 'ignore',
    buffer: false,
  })
  t.teardown(() => {
    child.kill('SIGKILL')
  })
  const out = collectLines(child.stdout)
  const err = collectLines(child.stderr)
  const waitFor = (pattern: RegExp, from = 0): Promise<string> =>
    out.waitFor((line) => pattern.test(line), 30_000, from).catch((error: unknown) => {
      throw new Error(`${error instanceof Error ? error.message : String(error)}\nstderr:\n${err.lines.join('\n')}`)
    })

  await waitFor(/^retrying /)
  let daemon = startDaemonProcess(t, ns, args)
  await waitFor(/^discovery interfaces=ens37 resync=false$/)
  await waitFor(/^lookup 10\.77\.0\.9 -> ens37$/)
  await waitFor(/^lookup 10\.88\.1\.1 -> none$/)
  await waitFor(/^reply get_status ready$/)

  const mark = out.lines.length
  await ns.ip('addr', 'add', '10.88.0.5/16', 'dev', 'ens37')
  await waitFor(/^change ens37 changed before 10\.77\.0\.5\/24 after 10\.77\.0\.5\/24,10\.88\.0\.5\/16$/, mark)
  await waitFor(/^lookup 10\.88\.1\.1 -> ens37$/, mark)

  const restart = out.lines.length
  t.equal(await daemon.stop(), 0)
  await waitFor(/^disconnected /, restart)
  await ns.ip('addr', 'del', '10.88.0.5/16', 'dev', 'ens37')
  daemon = startDaemonProcess(t, ns, args)
  await waitFor(/^discovery interfaces=ens37 resync=true$/, restart)
  await waitFor(/^change ens37 changed before 10\.77\.0\.5\/24,10\.88\.0\.5\/16 after 10\.77\.0\.5\/24$/, restart)
  await waitFor(/^lookup 10\.88\.1\.1 -> none$/, restart)

  const removal = out.lines.length
  await ns.ip('link', 'del', 'ens37')
  await waitFor(/^change ens37 removed before 10\.77\.0\.5\/24 after -$/, removal)
  await waitFor(/^lookup 10\.77\.0\.9 -> none$/, removal)

  child.kill('SIGTERM')
  const result = await child
  t.equal(result.exitCode, 0, 'exits cleanly on SIGTERM')
  t.same(err.lines, [], 'nothing on stderr')
  t.equal(await daemon.stop(), 0)
})
