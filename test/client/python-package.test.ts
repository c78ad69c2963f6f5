import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { execa } from 'execa'
import t from 'tap'
import { NETMON_BIN, startDaemonProcess } from '../helpers/daemon-process.js'
import { namespaceWithEns37 } from '../helpers/hosts.js'
import { collectLines } from '../helpers/lines.js'
import { socketPath, tempDir } from '../helpers/temp-dir.js'

const PACKAGE = fileURLToPath(new URL('../../clients/python', import.meta.url))
const EXAMPLE = fileURLToPath(new URL('../../examples/python/watch.py', import.meta.url))
/** No bytecode in the checkout; nothing from the caller's Python setup leaks in. */
const PYTHON_ENV = { PYTHONDONTWRITEBYTECODE: '1', PYTHONPATH: '', PIP_NO_INPUT: '1', PIP_DISABLE_PIP_VERSION_CHECK: '1' }

/** python3 with venv and ensurepip, or why not. CI must have it; elsewhere the test skips. */
const missingPython = async (): Promise<string | undefined> => {
  const probe = await execa('python3', ['-c', 'import sys, venv, ensurepip; assert sys.version_info >= (3, 9), sys.version'], { reject: false })
  if (probe.exitCode === 0) return undefined
  return `python3 (3.9+) with venv and ensurepip is needed to test the Python client: ${probe.stderr.split('\n').pop() ?? probe.shortMessage}`
}

/**
 * The verdict unittest -v printed for test method `name` ("ok", "FAIL", "skipped ..."), read
 * up to the next test's line: asyncio's debug warnings may come between name and verdict.
 */
const verdictOf = (report: string, name: string): string | undefined => {
  const lines = report.split('\n')
  const start = lines.findIndex((line) => line.startsWith(`${name} (`))
  if (start < 0) return undefined
  const end = lines.findIndex((line, i) => i > start && (/^test_\w+ \(/.test(line) || /^-{20,}$/.test(line) || line === ''))
  const chunk = lines.slice(start, end < 0 ? undefined : end).join('\n')
  return /(?:^|\.\.\. )(ok|FAIL|ERROR|skipped.*)$/m.exec(chunk)?.[1]
}

t.test('clients/python: pip install from the checkout into a fresh venv, its tests against the real daemon', async (t) => {
  const missing = await missingPython()
  if (missing !== undefined) {
    if (process.env.CI === 'true') t.fail(missing)
    else t.skip(missing, () => {})
    return
  }
  const ns = await namespaceWithEns37(t, 'pypkg')
  if (ns === undefined) return
  const dir = tempDir(t, 'pypkg')
  const venv = join(dir, 'venv')
  const python = join(venv, 'bin', 'python')
  await execa('python3', ['-m', 'venv', venv], { env: PYTHON_ENV })

  // Offline: no index, and the in-tree build backend needs nothing pip does not have.
  const install = await execa(python, ['-m', 'pip', 'install', '--no-index', '--no-cache-dir', PACKAGE], { env: PYTHON_ENV, reject: false })
  t.equal(install.exitCode, 0, `pip install ${PACKAGE}`, { stdout: install.stdout, stderr: install.stderr })
  if (install.exitCode !== 0) return
  const where = await execa(python, ['-c', 'import netmon_client; print(netmon_client.__file__)'], { cwd: dir, env: PYTHON_ENV })
  t.ok(where.stdout.startsWith(venv), `netmon_client is imported from the venv (${where.stdout})`)

  // src layout: running the tests from the package folder imports the installed copy, not the checkout.
  const tests = await execa(python, ['-m', 'unittest', 'discover', '-v', '-s', 'tests', '-t', '.'], {
    cwd: PACKAGE,
    reject: false,
    env: {
      ...PYTHON_ENV,
      NETMON_TEST_NETNS: ns.name,
      NETMON_TEST_DAEMON: JSON.stringify(['ip', 'netns', 'exec', ns.name, process.execPath, NETMON_BIN]),
      NETMON_TEST_DIR: tempDir(t, 'pylive'),
    },
    timeout: 300_000,
  })
  const report = tests.stderr
  t.equal(tests.exitCode, 0, 'python -m unittest passes', { output: report })
  t.match(report, /^Ran \d+ tests in /m)
  for (const live of ['test_discovery_change_cache_callbacks_and_commands', 'test_reconnect_after_a_daemon_restart_resyncs_and_requests_wait', 'test_a_discovery_over_64_kib']) {
    t.equal(verdictOf(report, live), 'ok', `${live} ran and passed`)
  }
  t.notMatch(report, /skipped 'no live daemon/, 'the live tests were not skipped')

  t.test('the example script, run with the installed package', async (t) => {
    const socket = socketPath(t, 'pyex')
    const child = execa(python, [EXAMPLE, '--socket', socket, '--parent', 'ens37'], { reject: false, stdin: 'ignore', buffer: false, env: PYTHON_ENV })
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
    const daemon = startDaemonProcess(t, ns, ['--socket', socket, '--debounce', '200'])
    await waitFor(/^discovery interfaces=ens37 resync=false$/)
    await waitFor(/^parent ens37 added \('10\.77\.0\.0\/24', None\)$/)
    await waitFor(/^status ready$/)
    const mark = out.lines.length
    await ns.ip('route', 'add', 'default', 'via', '10.77.0.1', 'dev', 'ens37')
    await waitFor(/^parent ens37 changed \('10\.77\.0\.0\/24', '10\.77\.0\.1'\)$/, mark)
    child.kill('SIGTERM')
    t.equal((await child).exitCode, 0, 'exits cleanly on SIGTERM')
    t.same(err.lines, [], 'nothing on stderr')
    t.equal(await daemon.stop(), 0)
  })
})
