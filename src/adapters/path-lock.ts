import { spawn } from 'node:child_process'
import { closeSync, constants, openSync, writeSync, ftruncateSync } from 'node:fs'
import { NetmonError } from './errors.js'

/** An exclusive lock that the kernel drops when this process dies, however it dies. */
export interface PathLock {
  readonly path: string
  release(): void
}

/**
 * Takes the exclusive lock on `path` (created 0600 if missing), or throws ERR_SOCKET_IN_USE
 * when another process holds it.
 *
 * Why this shape: two netmons must never both serve one socket path, and one killed with
 * SIGKILL must never block the next. A liveness probe of the socket cannot give both: two
 * starters can both see a stale socket, both unlink and both listen (seen in 1 of 40 tries),
 * and a lock file or socket used as a mutex has the same race when its stale copy is removed.
 * Only a lock owned by the kernel is released on death and cannot be stolen: flock(2) on an
 * open file. Node has no flock, so the `flock` tool (util-linux, BusyBox) takes it on the
 * file description this process opened and passes as fd 3: a flock belongs to the open file
 * description, not to the process that asked, so it stays held after the tool exits, for as
 * long as this process keeps the fd open. The fd is close-on-exec, so `ip` children never
 * inherit it (an orphaned child cannot keep the lock). The file is never deleted: removing
 * a lock file on release lets two later starters lock two different files. The tool runs
 * as an async child, so start-up's other checks run while it takes the lock.
 */
export const lockPath = async (path: string, flockPath = 'flock'): Promise<PathLock> => {
  let fd: number
  try {
    fd = openSync(path, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW, 0o600)
  } catch (cause) {
    const { code = 'unknown error' } = cause as NodeJS.ErrnoException
    throw new NetmonError('ERR_SOCKET_PATH', `cannot open the lock file ${path} (${code}): pass a writable --socket path`, { cause })
  }
  const result = await runFlock(flockPath, fd)
  if ('status' in result && result.status === 0) {
    try {
      // For people only: who holds it. The lock itself is the flock, not this text.
      ftruncateSync(fd)
      writeSync(fd, `${process.pid}\n`, 0)
    } catch {
      // The lock holds without the note.
    }
    return { path, release: () => closeSync(fd) }
  }
  closeSync(fd)
  if ('error' in result) {
    const { code = result.error.message } = result.error as NodeJS.ErrnoException
    throw new NetmonError('ERR_LOCK', `cannot run ${flockPath} (${code}) to lock ${path}: install util-linux`, { cause: result.error })
  }
  if (result.status === 1) {
    throw new NetmonError('ERR_SOCKET_IN_USE', `another netmon holds ${path}: stop it first or pass another --socket`)
  }
  const [stderr = ''] = result.stderr.trim().split('\n')
  throw new NetmonError('ERR_LOCK', `${flockPath} could not lock ${path} (exit ${String(result.status ?? result.signal)}): ${stderr}`)
}

type FlockResult = { error: Error } | { status: number | null; signal: NodeJS.Signals | null; stderr: string }

const FLOCK_TIMEOUT_MS = 10_000

/** `flock -x -n 3` on `fd`, passed as the child's fd 3. */
const runFlock = (flockPath: string, fd: number): Promise<FlockResult> =>
  new Promise((resolve) => {
    const child = spawn(flockPath, ['-x', '-n', '3'], { stdio: ['ignore', 'ignore', 'pipe', fd], timeout: FLOCK_TIMEOUT_MS })
    const stderr: Buffer[] = []
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk))
    child.once('error', (error) => resolve({ error }))
    child.once('close', (status, signal) => resolve({ status, signal, stderr: Buffer.concat(stderr).toString() }))
  })
