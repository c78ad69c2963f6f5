import { execFileSync } from 'node:child_process'
import { lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { bindSocket, randomHex, unlinkOwnSocket } from '../../src/adapters/socket-bind.js'
import { inMountNamespace } from '../helpers/mount-namespace.js'
import { connectClient } from '../helpers/socket-client.js'
import { socketPath, tempDir } from '../helpers/temp-dir.js'

/** A server closed when the test ends, and the errors its listen attempts hit. */
const serverOf = (t: Test): { server: Server; errors: NodeJS.ErrnoException[] } => {
  const server = createServer((socket) => {
    // The bind's liveness probe hangs up at once.
    socket.on('error', () => {})
    socket.end('hello\n')
  })
  const errors: NodeJS.ErrnoException[] = []
  server.on('error', (error: NodeJS.ErrnoException) => errors.push(error))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return { server, errors }
}

t.test('a stale socket file is replaced by the new socket; a live one is never touched', async (t) => {
  const dir = tempDir(t, 'bind')
  const path = join(dir, 'netmon.sock')
  execFileSync('python3', ['-c', 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])', path])
  const stale = lstatSync(path).ino
  const { server } = serverOf(t)
  const own = await bindSocket(server, path, 0o600)
  const now = lstatSync(path)
  t.not(now.ino, stale, 'a new file')
  t.same(own, { dev: now.dev, ino: now.ino }, 'the identity returned is the file at the path')
  t.equal(now.mode & 0o777, 0o600, 'with the mode asked for')
  const client = await connectClient(path)
  t.same(await client.lines.waitForCount(1), ['hello'], 'it serves')
  client.close()

  const second = serverOf(t)
  await t.rejects(bindSocket(second.server, path, 0o600), {
    code: 'ERR_SOCKET_IN_USE',
    message: `another process is serving ${path}: stop it first or pass another --socket`,
  })
  t.equal(lstatSync(path).ino, now.ino, 'the live socket is still the same file')
  t.same(readdirSync(dir), ['netmon.sock'], 'and nothing else was made')
})

t.test('a file at the path that is not a socket is refused and left alone', async (t) => {
  const path = socketPath(t, 'bind')
  writeFileSync(path, 'precious')
  await t.rejects(bindSocket(serverOf(t).server, path, 0o600), {
    code: 'ERR_SOCKET_PATH',
    message: `${path} exists and is not a socket: remove it or pass another --socket`,
  })
  t.equal(readFileSync(path, 'utf8'), 'precious')
})

t.test('a path whose folder is a file, or missing, is ERR_SOCKET_PATH naming the errno', async (t) => {
  // libuv reports a bind in a missing folder as EACCES.
  const dir = tempDir(t, 'bind')
  writeFileSync(join(dir, 'file'), '')
  const underFile = join(dir, 'file', 'netmon.sock')
  await t.rejects(bindSocket(serverOf(t).server, underFile, 0o600), {
    code: 'ERR_SOCKET_PATH',
    message: `cannot listen on ${underFile} (ENOTDIR): pass a writable --socket path`,
  })
  const { server, errors } = serverOf(t)
  const missing = join(dir, 'gone', 'netmon.sock')
  await t.rejects(bindSocket(server, missing, 0o600), { code: 'ERR_SOCKET_PATH', message: `cannot listen on ${missing} (EACCES)` })
  t.equal(errors.length, 1, 'one attempt: only a name clash is worth another')
  t.notOk(server.listening)
})

t.test('a folder too long to hold a private name beside the socket is refused before binding', async (t) => {
  const dir = tempDir(t, 'bind')
  const folder = join(dir, 'f'.repeat(100 - dir.length - 1))
  mkdirSync(folder)
  const path = join(folder, 's')
  const { server, errors } = serverOf(t)
  await t.rejects(bindSocket(server, path, 0o600), {
    code: 'ERR_SOCKET_PATH',
    message: `the folder of ${path} is too long to bind in (100 bytes): pass a shorter --socket`,
  })
  t.same(errors, [], 'no bind was tried')
  t.same(readdirSync(folder), [])
})

t.test('the default private names: 16 hex digits, every digit in every place, no repeats', async (t) => {
  const draws = Array.from({ length: 2000 }, () => randomHex())
  t.same(
    draws.filter((name) => !/^[0-9a-f]{16}$/.test(name)),
    [],
  )
  t.equal(new Set(draws).size, draws.length)
  for (let place = 0; place < 16; place += 1) {
    t.equal(new Set(draws.map((name) => name[place])).size, 16, `place ${place} takes all 16 digits`)
  }
})

/** Private names from a script: each of `names` in turn, then the last one again. */
const scripted = (...names: string[]): (() => string) => {
  let next = 0
  return () => names[Math.min(next++, names.length - 1)] ?? ''
}

t.test('a private name that is taken is retried with a fresh one', async (t) => {
  const dir = tempDir(t, 'bind')
  const [taken, free] = ['a'.repeat(16), 'b'.repeat(16)]
  writeFileSync(join(dir, `.nm-${taken}`), '')
  const path = join(dir, 'netmon.sock')
  const { server, errors } = serverOf(t)
  await bindSocket(server, path, 0o600, scripted(taken, taken, free))
  t.same(
    errors.map((error) => error.code),
    ['EADDRINUSE', 'EADDRINUSE'],
    'two clashes',
  )
  t.ok(lstatSync(path).isSocket(), 'then the third name is bound and moved to the path')
  t.same(readdirSync(dir).sort(), [`.nm-${taken}`, 'netmon.sock'], 'the taken name is left alone')
})

t.test('when every private name is taken, it tries 9, then gives up with EADDRINUSE', async (t) => {
  const dir = tempDir(t, 'bind')
  const taken = 'a'.repeat(16)
  writeFileSync(join(dir, `.nm-${taken}`), '')
  const path = join(dir, 'netmon.sock')
  const { server, errors } = serverOf(t)
  await t.rejects(bindSocket(server, path, 0o600, scripted(taken)), { code: 'ERR_SOCKET_PATH', message: `cannot listen on ${path} (EADDRINUSE)` })
  t.equal(errors.length, 9)
  t.notOk(server.listening)
})

t.test('something put at the path while binding: the error names it, and the private socket is closed and removed', async (t) => {
  const dir = tempDir(t, 'bind')
  const path = join(dir, 'netmon.sock')
  const { server } = serverOf(t)
  const binding = bindSocket(server, path, 0o600)
  // The bind is done and the rename waits for the server's `listening` event.
  mkdirSync(path)
  await t.rejects(binding, { code: 'ERR_SOCKET_PATH', message: `cannot listen on ${path} (EISDIR)` })
  t.notOk(server.listening, 'not serving')
  await new Promise((resolve) => setImmediate(resolve))
  t.same(readdirSync(dir), ['netmon.sock'], 'no private socket left beside it')
  t.ok(lstatSync(path).isDirectory(), 'what was put there is untouched')
})

t.test('unlinkOwnSocket removes the socket only while it is the one bound', async (t) => {
  const dir = tempDir(t, 'bind')
  const path = join(dir, 'netmon.sock')
  const own = await bindSocket(serverOf(t).server, path, 0o600)
  t.equal(unlinkOwnSocket(path, own), true)
  t.same(readdirSync(dir), [])
  t.equal(unlinkOwnSocket(path, own), false, 'nothing there')
  writeFileSync(path, 'theirs')
  t.equal(unlinkOwnSocket(path, own), false, 'another file there')
  t.equal(readFileSync(path, 'utf8'), 'theirs')
})

t.test('a socket that cannot be removed (its folder remounted read-only) is reported, not thrown', async (t) => {
  const dir = tempDir(t, 'bind')
  const path = join(dir, 'netmon.sock')
  const module = new URL('../../src/adapters/socket-bind.js', import.meta.url).href
  const out = await inMountNamespace(
    t,
    [
      "import { execFileSync } from 'node:child_process'",
      "import { createServer } from 'node:net'",
      `import { bindSocket, unlinkOwnSocket } from ${JSON.stringify(module)}`,
      'const server = createServer()',
      `const own = await bindSocket(server, ${JSON.stringify(path)}, 0o600)`,
      `execFileSync('mount', ['--bind', ${JSON.stringify(dir)}, ${JSON.stringify(dir)}])`,
      `execFileSync('mount', ['-o', 'remount,bind,ro', ${JSON.stringify(dir)}])`,
      `process.stdout.write(JSON.stringify({ removed: unlinkOwnSocket(${JSON.stringify(path)}, own) }))`,
      'server.close()',
    ].join('\n'),
  )
  if (out === undefined) return
  t.same(JSON.parse(out), { removed: false })
  t.ok(lstatSync(path).isSocket(), 'the file is still there')
})
