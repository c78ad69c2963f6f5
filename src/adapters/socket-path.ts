import { isAbsolute } from 'node:path'
import { fail, ok, type Result } from '../core/result.js'

/** `sun_path` holds 108 bytes with its terminating NUL; Node truncates a longer path silently. */
export const MAX_SOCKET_PATH_BYTES = 107

/**
 * A socket path netmon may bind or connect to: absolute (Node takes `47123` for a TCP port)
 * and short enough for the kernel (a longer one is cut: a socket appears at the cut path,
 * and an unrelated file at the full path gets the socket's mode). Checked before anything
 * is created.
 */
export const checkSocketPath = (path: string): Result<string> => {
  if (path === '' || path.includes('\0')) return fail(`expected a socket file path, got ${JSON.stringify(path)}`)
  if (!isAbsolute(path)) return fail(`socket path ${JSON.stringify(path)} is not absolute`)
  const bytes = Buffer.byteLength(path)
  if (bytes > MAX_SOCKET_PATH_BYTES) {
    return fail(`socket path ${path} is ${bytes} bytes; Unix sockets take at most ${MAX_SOCKET_PATH_BYTES}: pass a shorter one`)
  }
  return ok(path)
}
