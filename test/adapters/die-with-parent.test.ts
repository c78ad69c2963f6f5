import t from 'tap'
import { findLauncher, launch, spawnProbe, type ProbeResult } from '../../src/adapters/die-with-parent.js'

const answering =
  (result: ProbeResult, calls: string[][] = []) =>
  async (command: string, args: readonly string[]): Promise<ProbeResult> => {
    calls.push([command, ...args])
    return result
  }

t.test('setpriv with --pdeathsig is used when it runs', async (t) => {
  const calls: string[][] = []
  const launcher = await findLauncher(answering({ status: 0 }, calls))
  t.same(calls, [['setpriv', '--pdeathsig', 'KILL', '--', 'true']])
  t.same(launch(launcher, '/sbin/ip', ['monitor', 'link']), ['setpriv', ['--pdeathsig', 'KILL', '--', '/sbin/ip', 'monitor', 'link']])
})

t.test('without setpriv, or with one that lacks --pdeathsig (BusyBox), the child starts plainly and the reason is kept', async (t) => {
  const missing = Object.assign(new Error('spawn setpriv ENOENT'), { code: 'ENOENT' })
  const none = await findLauncher(answering({ error: missing }))
  t.same(none, { kind: 'plain', reason: 'cannot run setpriv (ENOENT)' })
  t.same(launch(none, '/sbin/ip', ['monitor']), ['/sbin/ip', ['monitor']])
  t.same(await findLauncher(answering({ status: 1 })), { kind: 'plain', reason: 'this setpriv has no --pdeathsig (util-linux 2.33 or later has)' })
  const codeless = await findLauncher(answering({ error: new Error('setpriv went away') }))
  t.same(codeless, { kind: 'plain', reason: 'cannot run setpriv (setpriv went away)' }, 'an error without a code is named by its message')
})

t.test('a launcher with an empty prefix starts the command as it is', async (t) => {
  t.same(launch({ kind: 'dies-with-parent', prefix: [] }, '/sbin/ip', ['monitor']), ['/sbin/ip', ['monitor']])
})

t.test('the probe child: its exit status, a missing command, one that hangs', async (t) => {
  const probe = spawnProbe(200)
  t.same(await probe('sh', ['-c', 'exit 0']), { status: 0 })
  t.same(await probe('sh', ['-c', 'exit 3']), { status: 3 })
  const missing = await probe('netmon-no-such-command', [])
  t.match(missing, { error: { code: 'ENOENT' } })
  const started = Date.now()
  const hung = await probe('sleep', ['30'])
  t.same('error' in hung ? hung.error.message : hung, 'killed by SIGTERM after 200 ms')
  t.ok(Date.now() - started < 10_000, 'the hung probe is killed, not waited for')
})

t.test('this machine has a working one (util-linux)', async (t) => {
  t.equal((await findLauncher()).kind, 'dies-with-parent')
})
