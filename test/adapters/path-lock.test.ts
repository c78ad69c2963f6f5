import { execFileSync } from 'node:child_process'
import { chmodSync, existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { lockPath } from '../../src/adapters/path-lock.js'
import { tempDir } from '../helpers/temp-dir.js'

/** A stand-in for the `flock` tool: a sh script with `body`. */
const fakeFlock = (dir: string, body: string): string => {
  const path = join(dir, 'flock')
  writeFileSync(path, `#!/bin/sh\n${body}\n`)
  chmodSync(path, 0o755)
  return path
}

/** The code and message of what `lock` rejects with, for exact checks (`t.rejects` matches substrings). */
const thrown = async (lock: () => Promise<unknown>): Promise<{ code: unknown; message: unknown }> => {
  try {
    await lock()
  } catch (error) {
    const { code, message } = error as { code?: unknown; message?: unknown }
    return { code, message }
  }
  throw new Error('expected a throw')
}

t.test('the lock is exclusive while held, notes the holder, and is free again on release', async (t) => {
  const path = join(tempDir(t, 'lock'), 'netmon.sock.lock')
  const held = await lockPath(path)
  t.equal(readFileSync(path, 'utf8'), `${process.pid}\n`, 'the file says who holds it')
  await t.rejects(lockPath(path), { code: 'ERR_SOCKET_IN_USE', message: /another netmon holds .*netmon\.sock\.lock/ })
  held.release()
  ;(await lockPath(path)).release()
  t.ok(existsSync(path), 'the file stays: removing it would let two starters lock two files')
})

t.test('a lock file that cannot take the note (here a FIFO; in life a full disk) still locks', async (t) => {
  const path = join(tempDir(t, 'fifo'), 'netmon.sock.lock')
  execFileSync('mkfifo', [path])
  const held = await lockPath(path)
  await t.rejects(lockPath(path), { code: 'ERR_SOCKET_IN_USE' }, 'held without the note')
  held.release()
  ;(await lockPath(path)).release()
})

t.test('a lock path that cannot be opened names the errno and asks for a writable --socket', async (t) => {
  const dir = tempDir(t, 'open')
  const target = join(dir, 'elsewhere')
  const link = join(dir, 'netmon.sock.lock')
  symlinkSync(target, link)
  t.same(await thrown(() => lockPath(link)), { code: 'ERR_SOCKET_PATH', message: `cannot open the lock file ${link} (ELOOP): pass a writable --socket path` })
  t.notOk(existsSync(target), 'a symlink is never followed to create its target')
  const missing = join(dir, 'no-such-folder', 'netmon.sock.lock')
  await t.rejects(lockPath(missing), { code: 'ERR_SOCKET_PATH', message: /\(ENOENT\)/ })
})

t.test('a flock that cannot run, or fails in another way than "held", is ERR_LOCK with its reason', async (t) => {
  const dir = tempDir(t, 'flock')
  const path = join(dir, 'netmon.sock.lock')
  const absent = join(dir, 'absent', 'flock')
  t.same(await thrown(() => lockPath(path, absent)), { code: 'ERR_LOCK', message: `cannot run ${absent} (ENOENT) to lock ${path}: install util-linux` })
  const failing = fakeFlock(dir, 'echo "flock: 3: Bad file descriptor" >&2; echo "second line" >&2; exit 64')
  t.same(await thrown(() => lockPath(path, failing)), { code: 'ERR_LOCK', message: `${failing} could not lock ${path} (exit 64): flock: 3: Bad file descriptor` })
  const killed = fakeFlock(tempDir(t, 'flock-killed'), 'kill -KILL $$')
  t.same(await thrown(() => lockPath(path, killed)), { code: 'ERR_LOCK', message: `${killed} could not lock ${path} (exit SIGKILL): ` })
  ;(await lockPath(path)).release()
  t.pass('a failed attempt leaves nothing held')
})
