import { execFileSync } from 'node:child_process'
import { chmodSync, existsSync, readFileSync, readlinkSync } from 'node:fs'
import { availableParallelism, loadavg } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { execa } from 'execa'
import t from 'tap'
import { namespaceWithEns37 } from '../helpers/hosts.js'
import { collectLines } from '../helpers/lines.js'
import { isRunning } from '../helpers/proc-stats.js'
import { tempDir } from '../helpers/temp-dir.js'
import { waitUntil } from '../helpers/wait.js'

const CHECKOUT = dirname(dirname(dirname(fileURLToPath(import.meta.url))))

/** The run command exactly as the README's "Run" section gives it, so the two cannot drift. */
const readmeRunCommand = (): string[] => {
  const readme = readFileSync(join(CHECKOUT, 'README.md'), 'utf8')
  const section = readme.slice(readme.indexOf('\n## Run\n'), readme.indexOf('\n## ', readme.indexOf('\n## Run\n') + 1))
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? ''
  const line = block.split('\n').find((candidate) => candidate.includes('netmon'))
  if (line === undefined) throw new Error('README.md has no netmon command in the Run section')
  if (/[|&;<>()$`"'\\*?]/.test(line)) throw new Error(`the run command is meant to be one plain command, no shell: ${line}`)
  return line.trim().split(/\s+/)
}

/** Children of `pid`, from /proc. */
const childrenOf = (pid: number): number[] => {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number)
  } catch {
    return []
  }
}

const commandLineOf = (pid: number): string[] => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean)

/** Runs as `nobody` when root (as a dev box would), through setpriv, which execs: the PID stays netmon's. */
const asUnprivileged = (): string[] => {
  if (process.getuid?.() !== 0) return []
  try {
    execFileSync('id', ['nobody'], { stdio: 'ignore' })
    return ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups']
  } catch {
    return []
  }
}

t.test("the README's run command: netmon itself, serving within 2 s without root, gone on SIGTERM", async (t) => {
  const command = readmeRunCommand()
  t.equal(command[0], 'node', `the README says: ${command.join(' ')}`)
  const socketAt = command.indexOf('--socket')
  t.ok(socketAt > 0, 'it gives --socket, so it runs without root')
  const ns = await namespaceWithEns37(t, 'readme')
  if (ns === undefined) return
  const dir = tempDir(t, 'readme')
  chmodSync(dir, 0o777)
  const socket = join(dir, 'netmon.sock')
  const args = command.map((word, index) => (index === socketAt + 1 ? socket : word === 'node' && index === 0 ? process.execPath : word))
  const drop = asUnprivileged()
  t.comment(drop.length > 0 ? 'as nobody' : `as uid ${String(process.getuid?.())}`)

  const started = performance.now()
  const child = execa('ip', ['netns', 'exec', ns.name, ...drop, ...args], { cwd: CHECKOUT, reject: false, stdin: 'ignore', buffer: false })
  const pid = child.pid ?? -1
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL')
  })
  const stdout = collectLines(child.stdout)
  const stderr = collectLines(child.stderr)
  const discovery = await stdout.waitFor((line) => line.startsWith('{"type":"network_discovery"'), 10_000).catch((error: unknown) => {
    throw new Error(`no discovery; stderr:\n${stderr.lines.join('\n')}`, { cause: error })
  })
  const elapsed = Math.round(performance.now() - started)
  // The promise is 2 s; on a machine busier than its cores (agents, a parallel test run)
  // a start is measured at up to 1.7 s, so only a gross regression fails there.
  const load = loadavg()[0] ?? 0
  const limitMs = load > availableParallelism() ? 10_000 : 2000
  t.ok(elapsed < limitMs, `start to discovery: ${elapsed} ms (limit ${limitMs} ms at load average ${load.toFixed(1)})`)
  t.match(JSON.parse(discovery), { data: { interfaces: [{ interface: 'ens37' }] } })
  t.ok(existsSync(socket), 'it serves the socket it was given')

  t.same(commandLineOf(pid).slice(1), args.slice(1), 'the process started is netmon itself (no npx, no shell in between)')
  t.equal(readlinkSync(`/proc/${pid}/exe`), readlinkSync(`/proc/${process.pid}/exe`), 'running node')
  if (drop.length > 0) t.match(readFileSync(`/proc/${pid}/status`, 'utf8'), /\nUid:\s+65534\s/, 'as nobody')
  const monitors = childrenOf(pid).filter((child) => commandLineOf(child).includes('monitor'))
  t.equal(monitors.length, 1, 'its ip monitor child')

  process.kill(pid, 'SIGTERM')
  t.equal((await child).exitCode, 0, 'SIGTERM to that PID: exit 0')
  t.notOk(existsSync(socket), 'socket removed')
  t.ok(await waitUntil(() => monitors.every((monitor) => !isRunning(monitor)), 2000), 'ip monitor gone')
  const left = (await execa('ip', ['netns', 'pids', ns.name])).stdout.trim()
  t.equal(left, '', 'nothing left running in its namespace')
})
