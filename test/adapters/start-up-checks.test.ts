import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { DIES_WITH_PARENT, type Launcher } from '../../src/adapters/die-with-parent.js'
import { NetmonError } from '../../src/adapters/errors.js'
import { checkIpAndFindLauncher, type StartUpCheckers } from '../../src/adapters/start-up-checks.js'
import { writeIpScript } from '../helpers/fake-ip.js'
import { tempDir } from '../helpers/temp-dir.js'

type Call = ['checkIp', string, Launcher | undefined] | ['findLauncher']

/** Checkers whose `ip` check fails under a launcher (`underLauncher`) or plainly (`plainly`) with the given errors. */
const checkers = (
  answers: { underLauncher?: Error; plainly?: Error; launcher?: Launcher },
  calls: Call[],
): StartUpCheckers => ({
  async checkIp(ipPath, launcher) {
    calls.push(['checkIp', ipPath, launcher])
    const failure = launcher === undefined ? answers.plainly : answers.underLauncher
    if (failure !== undefined) throw failure
  },
  async findLauncher() {
    calls.push(['findLauncher'])
    return answers.launcher ?? DIES_WITH_PARENT
  },
})

t.test('when ip runs under setpriv, that one child is both the ip check and the setpriv probe', async (t) => {
  const calls: Call[] = []
  t.same(await checkIpAndFindLauncher('/sbin/ip', checkers({}, calls)), DIES_WITH_PARENT)
  t.same(calls, [['checkIp', '/sbin/ip', DIES_WITH_PARENT]])
})

t.test('when that child fails, the two run apart: the launcher comes from the probe', async (t) => {
  const calls: Call[] = []
  const plain: Launcher = { kind: 'plain', reason: 'cannot run setpriv (ENOENT)' }
  const found = await checkIpAndFindLauncher('/sbin/ip', checkers({ underLauncher: new Error('exit 127'), launcher: plain }, calls))
  t.same(found, plain)
  t.same(calls, [['checkIp', '/sbin/ip', DIES_WITH_PARENT], ['checkIp', '/sbin/ip', undefined], ['findLauncher']])
})

t.test("when ip fails on its own too, the plain check's error is the one thrown", async (t) => {
  const plainly = new NetmonError('ERR_IP_NOT_FOUND', 'cannot run /x/ip (ENOENT): install iproute2 or pass --ip <path to ip>')
  await t.rejects(checkIpAndFindLauncher('/x/ip', checkers({ underLauncher: new Error('setpriv: exit 127'), plainly }, [])), plainly)
})

// The real setpriv and real children: this machine's util-linux has --pdeathsig (die-with-parent.test.ts).

t.test('a working ip runs once, under setpriv', async (t) => {
  const dir = tempDir(t, 'startchk')
  const runs = join(dir, 'runs')
  const ip = writeIpScript(dir, `echo "$*" >> '${runs}'; echo '[{"ifname":"lo"}]'`)
  // A setpriv first on PATH that logs its arguments, then runs the real one.
  const realSetpriv = execFileSync('sh', ['-c', 'command -v setpriv'], { encoding: 'utf8' }).trim()
  const wrappers = tempDir(t, 'startchk-path')
  const setprivCalls = join(wrappers, 'calls')
  writeFileSync(join(wrappers, 'setpriv'), `#!/bin/sh\necho "$*" >> '${setprivCalls}'\nexec '${realSetpriv}' "$@"\n`, { mode: 0o755 })
  const path = process.env.PATH
  process.env.PATH = `${wrappers}:${path ?? ''}`
  t.teardown(() => {
    process.env.PATH = path
  })
  t.same(await checkIpAndFindLauncher(ip), DIES_WITH_PARENT)
  t.equal(readFileSync(runs, 'utf8'), '-json link show\n', 'one run: a failed first child would have run it again plainly')
  t.equal(readFileSync(setprivCalls, 'utf8'), `--pdeathsig KILL -- ${ip} -json link show\n`, 'that run was under setpriv, and no probe of its own ran')
})

t.test("failures name ip, not setpriv, whose exit status hid what went wrong", async (t) => {
  await t.rejects(checkIpAndFindLauncher('/nonexistent/netmon-startchk/ip'), {
    code: 'ERR_IP_NOT_FOUND',
    message: 'cannot run /nonexistent/netmon-startchk/ip (ENOENT): install iproute2 or pass --ip <path to ip>',
  })
  const busybox = writeIpScript(tempDir(t, 'startchk-bb'), `echo 'BusyBox v1.35.0 multi-call binary.' >&2; exit 1`)
  await t.rejects(checkIpAndFindLauncher(busybox), {
    code: 'ERR_IP_NO_JSON',
    message: /^`.*\/ip -json link show` failed \(exit code 1\): BusyBox v1\.35\.0 multi-call binary\.; netmon needs an ip that takes -json/,
  })
})
