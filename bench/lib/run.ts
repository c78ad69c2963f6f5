import { spawn } from 'node:child_process'
import type { Namespace } from '../../test/helpers/netns.js'

export interface RunResult {
  code: number | null
  stdout: string
  stderr: string
  /** performance.now() when the child was spawned and when it exited. */
  startedAt: number
  exitedAt: number
}

/**
 * Runs a command (never a shell) and resolves when its output is read. Rejects with the
 * command and its stderr when it exits non-zero, unless `allowFail`.
 */
export const run = (
  command: string,
  args: readonly string[],
  options: { input?: string; allowFail?: boolean } = {},
): Promise<RunResult> =>
  new Promise((resolve, reject) => {
    const startedAt = performance.now()
    let exitedAt = startedAt
    const child = spawn(command, args, { stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk))
    child.stderr?.on('data', (chunk: Buffer) => err.push(chunk))
    child.once('exit', () => (exitedAt = performance.now()))
    child.once('error', reject)
    child.once('close', (code) => {
      const result = { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), startedAt, exitedAt }
      if (code !== 0 && options.allowFail !== true) {
        reject(new Error(`\`${command} ${args.join(' ').slice(0, 200)}\` exited ${String(code)}: ${result.stderr.trim().slice(0, 500)}`))
      } else resolve(result)
    })
    if (options.input !== undefined) child.stdin?.end(options.input)
  })

/** `ip -n <ns> ...args` through `run`: for figures that include the command's own time (`exitedAt`). */
export const timedIp = (ns: Pick<Namespace, 'name'>, ...args: string[]): Promise<RunResult> => run('ip', ['-n', ns.name, ...args])
