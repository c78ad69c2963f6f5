import t from 'tap'
import { findLauncher, launch } from '../../src/adapters/die-with-parent.js'

t.test('setpriv with --pdeathsig is used when it runs', async (t) => {
  const calls: string[][] = []
  const launcher = findLauncher((command, args) => {
    calls.push([command, ...args])
    return { status: 0 }
  })
  t.same(calls, [['setpriv', '--pdeathsig', 'KILL', '--', 'true']])
  t.same(launch(launcher, '/sbin/ip', ['monitor', 'link']), ['setpriv', ['--pdeathsig', 'KILL', '--', '/sbin/ip', 'monitor', 'link']])
})

t.test('without setpriv, or with one that lacks --pdeathsig (BusyBox), the child starts plainly and the reason is kept', async (t) => {
  const missing = Object.assign(new Error('spawnSync setpriv ENOENT'), { code: 'ENOENT' })
  const none = findLauncher(() => ({ error: missing, status: null }))
  t.same(none, { kind: 'plain', reason: 'cannot run setpriv (ENOENT)' })
  t.same(launch(none, '/sbin/ip', ['monitor']), ['/sbin/ip', ['monitor']])
  t.match(findLauncher(() => ({ status: 1 })), { kind: 'plain', reason: /no --pdeathsig/ })
  const codeless = findLauncher(() => ({ error: new Error('setpriv went away'), status: null }))
  t.same(codeless, { kind: 'plain', reason: 'cannot run setpriv (setpriv went away)' }, 'an error without a code is named by its message')
})

t.test('a launcher with an empty prefix starts the command as it is', async (t) => {
  t.same(launch({ kind: 'dies-with-parent', prefix: [] }, '/sbin/ip', ['monitor']), ['/sbin/ip', ['monitor']])
})

t.test('this machine has a working one (util-linux)', async (t) => {
  t.equal(findLauncher().kind, 'dies-with-parent')
})
