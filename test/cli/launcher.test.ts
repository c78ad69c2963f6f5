import { existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { createServer, type Socket } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { execa } from 'execa'
import t, { type Test } from 'tap'
import { tempDir } from '../helpers/temp-dir.js'
import { waitUntil } from '../helpers/wait.js'

/*
 * bin/netmon.js is a sh/node polyglot: sh runs line 2 and replaces itself with node
 * started with the daemon's memory flags (which NODE_OPTIONS refuses); node reads line 2
 * as a string and a comment. Every launch path runs the file by name, so every launch
 * path must get the flags: checked on the running process, not on the file's text alone.
 */

const ROOT = new URL('../../', import.meta.url)
const LAUNCHER = fileURLToPath(new URL('bin/netmon.js', ROOT))

const launcherFlags = (): string[] => {
  const match = /^':' \/\/; exec node (.*) "\$0" "\$@"$/m.exec(readFileSync(LAUNCHER, 'utf8'))
  return match?.[1]?.split(' ') ?? []
}

const cmdline = (pid: number): string[] => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1)

/** A socket that accepts and never greets, so `netmon health` stays alive until its timeout. */
const silentSocket = async (t: Test, path: string): Promise<void> => {
  const clients = new Set<Socket>()
  const server = createServer((socket) => {
    clients.add(socket)
    socket.on('close', () => clients.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(path, resolve))
  t.teardown(() => {
    for (const socket of clients) socket.destroy()
    return new Promise<void>((resolve) => server.close(() => resolve()))
  })
}

t.test('the launcher asks node for a small heap: --optimize-for-size and 1 MB semi-spaces', async (t) => {
  const flags = launcherFlags()
  t.ok(flags.includes('--optimize-for-size'), `flags: ${flags.join(' ')}`)
  t.ok(flags.some((flag) => /^--max-semi-space-size=\d+$/.test(flag)), `flags: ${flags.join(' ')}`)
})

t.test('run by name from PATH through a symlink (npm -g, systemd, the image), node runs with the flags', async (t) => {
  const dir = tempDir(t, 'launcher-path')
  symlinkSync(LAUNCHER, join(dir, 'netmon'))
  const socket = join(dir, 'silent.sock')
  await silentSocket(t, socket)
  const child = execa('netmon', ['health', '--socket', socket, '--timeout', '20000'], {
    env: { PATH: `${dir}:${process.env.PATH ?? ''}` },
    reject: false,
  })
  t.teardown(() => {
    child.kill('SIGKILL')
  })
  const pid = child.pid
  if (pid === undefined) throw new Error('could not start netmon health')
  // sh execs node in place: same PID, its command line changes once the exec is done.
  await waitUntil(() => cmdline(pid)[0] === 'node', 10_000)
  const running = cmdline(pid)
  t.ok(running.includes('--optimize-for-size'), `running: ${running.join(' ')}`)
  t.same(running, ['node', ...launcherFlags(), join(dir, 'netmon'), 'health', '--socket', socket, '--timeout', '20000'])
})

t.test('a NODE_OPTIONS of the environment still reaches node beside the flags', async (t) => {
  const dir = tempDir(t, 'launcher-env')
  const marker = join(dir, 'marker')
  const preload = join(dir, 'preload.cjs')
  writeFileSync(preload, `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'loaded')\n`)
  const result = await execa(LAUNCHER, ['--version'], { env: { NODE_OPTIONS: `--require ${preload}` } })
  t.equal(result.stdout, JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')).version)
  t.equal(readFileSync(marker, 'utf8'), 'loaded')
})

t.test('line 2 runs under every sh a board may have, and node alone reads it as JavaScript', async (t) => {
  const { version } = JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')) as { version: string }
  const shells: { path: string; args: string[] }[] = [
    { path: '/bin/sh', args: [] },
    { path: '/usr/bin/dash', args: [] },
    { path: '/bin/busybox', args: ['sh'] },
  ]
  for (const shell of shells.filter(({ path }) => existsSync(path))) {
    const result = await execa(shell.path, [...shell.args, LAUNCHER, '--version'])
    t.equal(result.stdout, version, `${[shell.path, ...shell.args].join(' ')} bin/netmon.js --version`)
  }
  const direct = await execa(process.execPath, [LAUNCHER, '--version'])
  t.equal(direct.stdout, version, 'node bin/netmon.js --version')
})

t.test('the unit and the image start netmon by name and set no node flags of their own', async (t) => {
  const unit = readFileSync(new URL('netmon.service', ROOT), 'utf8')
  t.match(unit, /^ExecStart=netmon /m, 'netmon.service: ExecStart=netmon')
  t.notMatch(unit, /NODE_OPTIONS/, 'netmon.service sets no NODE_OPTIONS')
  const dockerfile = readFileSync(new URL('Dockerfile.netmon', ROOT), 'utf8')
  t.match(dockerfile, /^ENTRYPOINT \[.*"netmon"\]$/m, 'Dockerfile.netmon: ENTRYPOINT ... netmon')
  t.notMatch(dockerfile, /NODE_OPTIONS/, 'Dockerfile.netmon sets no NODE_OPTIONS')
})
