import { lstatSync, unlinkSync } from 'node:fs'
import { createConnection, type Server } from 'node:net'
import { NetmonError } from './errors.js'

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

/** True when something accepts connections on `path` (another live daemon). */
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
 * Listens on `path`, replacing a stale socket file left by a crash but never one that a
 * live daemon still answers on.
 */
export const bindSocket = async (server: Server, path: string, mode: number): Promise<void> => {
  try {
    await listen(server, path, mode)
    return
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw describeBindError(path, error)
  }
  if (!lstatSync(path).isSocket()) {
    throw new NetmonError('ERR_SOCKET_PATH', `${path} exists and is not a socket: remove it or pass another --socket`)
  }
  if (await answers(path)) {
    throw new NetmonError('ERR_SOCKET_IN_USE', `another netmon is serving ${path}: stop it first or pass another --socket`)
  }
  unlinkSync(path)
  try {
    await listen(server, path, mode)
  } catch (error) {
    throw describeBindError(path, error)
  }
}

const describeBindError = (path: string, cause: unknown): NetmonError => {
  const code = (cause as NodeJS.ErrnoException).code ?? 'unknown error'
  return new NetmonError('ERR_SOCKET_PATH', `cannot listen on ${path} (${code}): pass a writable --socket path`, { cause })
}
