import { execFile } from 'node:child_process'
import type { Logger } from './logger.js'

/** What `notifyReady` did: nothing outside systemd, else whether systemd was told. */
export type NotifyOutcome = { type: 'not-under-systemd' } | { type: 'notified' } | { type: 'failed'; error: string }

/** Runs a command; resolves with undefined on exit 0, else with a one-line reason. */
export type RunCommand = (command: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs: number) => Promise<string | undefined>

/** The real RunCommand: `execFile` with a timeout that kills with SIGKILL. */
export const runCommand: RunCommand = (command, args, env, timeoutMs) =>
  new Promise((resolve) => {
    execFile(command, args, { encoding: 'utf8', env, timeout: timeoutMs, killSignal: 'SIGKILL' }, (error, _stdout, stderr) => {
      if (error === null) return resolve(undefined)
      const how = error.killed ? `timed out after ${timeoutMs} ms` : typeof error.code === 'string' ? error.code : `exit code ${String(error.code)}`
      const [detail = ''] = stderr.trim().split('\n')
      resolve(detail === '' ? how : `${how}: ${detail}`)
    }).stdin?.end()
  })

/** systemd-notify waits up to 5 s for systemd to read the message; this bounds the rest. */
const NOTIFY_TIMEOUT_MS = 10_000

/**
 * Tells systemd that netmon is ready (Type=notify), by running `systemd-notify --ready`:
 * Node has no datagram Unix sockets, so the tool sends READY=1 for it. Nothing happens
 * when NOTIFY_SOCKET is unset (not started by systemd, or not Type=notify). The message
 * comes from the child's PID, hence NotifyAccess=all in netmon.service; systemd-notify
 * (>= 246) waits until systemd has read it, so its early exit loses nothing. A failure is
 * logged as an error, since systemd will then time the start out; netmon keeps serving.
 */
export const notifyReady = async (
  logger: Logger,
  env: NodeJS.ProcessEnv = process.env,
  run: RunCommand = runCommand,
  command = 'systemd-notify',
): Promise<NotifyOutcome> => {
  if (env.NOTIFY_SOCKET === undefined || env.NOTIFY_SOCKET === '') return { type: 'not-under-systemd' }
  // The environment given is the child's: systemd-notify reads NOTIFY_SOCKET from it.
  const error = await run(command, ['--ready'], env, NOTIFY_TIMEOUT_MS)
  if (error === undefined) {
    logger.debug('told systemd that netmon is ready', { notifySocket: env.NOTIFY_SOCKET })
    return { type: 'notified' }
  }
  logger.error(`${command} --ready failed (systemd will time the start out): ${error}`, { notifySocket: env.NOTIFY_SOCKET })
  return { type: 'failed', error }
}
