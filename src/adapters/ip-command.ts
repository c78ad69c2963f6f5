import { execa, ExecaError } from 'execa'
import { NetmonError } from './errors.js'

/** Runs `ip` with `args` and parses its stdout as JSON; failures become a NetmonError. */
export const runIpJson = async (ipPath: string, args: readonly string[], timeoutMs: number): Promise<unknown> => {
  // Our own timer, cleared on exit: execa's `timeout` leaves one pending after the child
  // is gone, which woke the idle daemon 5 s after every snapshot.
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), timeoutMs)
  let stdout: string
  try {
    ;({ stdout } = await execa(ipPath, args, { cancelSignal: controller.signal, stdin: 'ignore', forceKillAfterDelay: 500 }))
  } catch (cause) {
    throw describeIpFailure(ipPath, args, cause, controller.signal.aborted ? timeoutMs : undefined)
  } finally {
    clearTimeout(timer)
  }
  try {
    return JSON.parse(stdout) as unknown
  } catch (cause) {
    throw new NetmonError(
      'ERR_IP_NO_JSON',
      `\`${ipPath} ${args.join(' ')}\` did not print JSON (BusyBox ip has no -json): install iproute2 or pass --ip <path to iproute2's ip>`,
      { cause },
    )
  }
}

const describeIpFailure = (ipPath: string, args: readonly string[], cause: unknown, timedOutAfterMs?: number): NetmonError => {
  const command = `${ipPath} ${args.join(' ')}`
  if (cause instanceof ExecaError) {
    if (cause.code === 'ENOENT' || cause.code === 'EACCES') {
      return new NetmonError(
        'ERR_IP_NOT_FOUND',
        `cannot run ${ipPath} (${cause.code}): install iproute2 or pass --ip <path to ip>`,
        { cause },
      )
    }
    if (timedOutAfterMs !== undefined) {
      return new NetmonError('ERR_IP_FAILED', `\`${command}\` timed out after ${timedOutAfterMs} ms`, { cause })
    }
    const stderr: unknown = cause.stderr
    const firstLine = typeof stderr === 'string' ? stderr.trim().split('\n')[0] : undefined
    return new NetmonError('ERR_IP_FAILED', `\`${command}\` failed: ${firstLine || cause.shortMessage}`, { cause })
  }
  return new NetmonError('ERR_IP_FAILED', `\`${command}\` failed: ${String(cause)}`, { cause })
}

/**
 * Fails at start with one line naming what is needed when `ipPath` is missing or lacks
 * `-json` (BusyBox), instead of failing later on every snapshot.
 */
export const checkIp = async (ipPath: string, timeoutMs = 5000): Promise<void> => {
  const links = await runIpJson(ipPath, ['-json', 'link', 'show'], timeoutMs)
  if (!Array.isArray(links)) {
    throw new NetmonError('ERR_IP_NO_JSON', `\`${ipPath} -json link show\` did not print a JSON array: install iproute2`)
  }
}
