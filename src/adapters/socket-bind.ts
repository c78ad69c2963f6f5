import { lstatSync, renameSync, unlinkSync } from 'node:fs'
import { createConnection, type Server } from 'node:net'
import { dirname, join } from 'node:path'
import { NetmonError } from './errors.js'
import { MAX_SOCKET_PATH_BYTES } from './socket-path.js'

/** Which file a daemon created: it removes the socket at its path only while it is still this one. */
export interface SocketIdentity {
  dev: number
  ino: number
}

/**
 * The socket file is created by bind() with 0777 & ~umask, and becomes connectable at once:
 * a chmod afterwards leaves a moment in which clients see the wrong mode. So the umask is
 * set for the synchronous bind inside listen() only.
 */
const listen = (server: Server, path: string, mode: number): Promise<void> =>
  new Promise((resolve, reject) => {
    const onError = (error: Error): void => {
      server.off('listening', onListening)
      reject(error)
    }
    const onListening = (): void => {
      server.off('error', onError)
      resolve()
    }
    server.once('error', onError)
    server.once('listening', onListening)
    const previous = process.umask(0o777 & ~mode)
    try {
      server.listen(path)
    } finally {
      process.umask(previous)
    }
  })

/** True when something accepts connections on `path` (a netmon too old to take the lock, say). */
const answers = (path: string): Promise<boolean> =>
  new Promise((resolve) => {
    const probe = createConnection(path)
    probe.once('connect', () => {
      probe.destroy()
      resolve(true)
    })
    probe.once('error', () => resolve(false))
  })

/**
 * 16 random hex digits. The name must be unlikely to clash, not secret: a clash is retried,
 * and whoever can write in the folder can block the path itself more simply. Math.random,
 * not node:crypto, whose import alone added 12-18 ms to every start (measured, issue 12).
 */
export const randomHex = (): string => Array.from({ length: 16 }, () => Math.floor(Math.random() * 16).toString(16)).join('')

/**
 * A fresh name beside `path`, no longer than the kernel takes: `.nm-` and the hex digits of
 * `random()`, as many as fit (at least 4, which the caller retries on a clash).
 */
const privateName = (path: string, random: () => string): string => {
  const folder = dirname(path)
  const room = MAX_SOCKET_PATH_BYTES - Buffer.byteLength(join(folder, '.nm-'))
  const digits = Math.min(16, room)
  if (digits < 4) {
    throw new NetmonError('ERR_SOCKET_PATH', `the folder of ${path} is too long to bind in (${Buffer.byteLength(folder)} bytes): pass a shorter --socket`)
  }
  return join(folder, `.nm-${random().slice(0, digits)}`)
}

const describeBindError = (path: string, cause: unknown): NetmonError => {
  const { code = 'unknown error' } = cause as NodeJS.ErrnoException
  return new NetmonError('ERR_SOCKET_PATH', `cannot listen on ${path} (${code}): pass a writable --socket path`, { cause })
}

/**
 * Listens on `path`, replacing a stale socket file left by a crash but never a live one nor
 * anything that is not a socket. The caller holds the path's lock, so no other netmon can
 * be doing the same. The server binds at a private name in the same folder and is then
 * renamed onto `path`: the swap is atomic (a client finds the stale file or the new socket,
 * never nothing), and libuv, which unlinks the name it bound when the server closes, unlinks
 * that private name, never whatever then sits at `path` (another daemon's socket, after a
 * takeover). Resolves with the identity of the file created. `random` makes the private
 * names (16 hex digits each).
 */
export const bindSocket = async (server: Server, path: string, mode: number, random: () => string = randomHex): Promise<SocketIdentity> => {
  const existing = lstatOrUndefined(path)
  if (existing !== undefined && !existing.isSocket()) {
    throw new NetmonError('ERR_SOCKET_PATH', `${path} exists and is not a socket: remove it or pass another --socket`)
  }
  if (existing !== undefined && (await answers(path))) {
    throw new NetmonError('ERR_SOCKET_IN_USE', `another process is serving ${path}: stop it first or pass another --socket`)
  }
  let bound: string | undefined
  for (let attempt = 0; bound === undefined; attempt += 1) {
    const candidate = privateName(path, random)
    try {
      await listen(server, candidate, mode)
      bound = candidate
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 8) throw describeBindError(path, error)
    }
  }
  try {
    const { dev, ino } = lstatSync(bound)
    renameSync(bound, path)
    return { dev, ino }
  } catch (error) {
    server.close()
    throw describeBindError(path, error)
  }
}

/** Removes the socket at `path` if it is still the one this daemon created. */
export const unlinkOwnSocket = (path: string, own: SocketIdentity): boolean => {
  const current = lstatOrUndefined(path)
  if (current === undefined || current.dev !== own.dev || current.ino !== own.ino) return false
  try {
    unlinkSync(path)
    return true
  } catch {
    return false
  }
}

const lstatOrUndefined = (path: string): ReturnType<typeof lstatSync> | undefined => {
  try {
    return lstatSync(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw describeBindError(path, error)
  }
}
