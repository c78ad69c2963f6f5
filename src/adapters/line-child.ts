import { spawn } from 'node:child_process'
import { readLines } from './read-lines.js'

/** How a child ended: by its own exit code, by a signal, or without ever starting. */
export type ChildEnd =
  | { kind: 'exited'; code: number }
  | { kind: 'signalled'; signal: NodeJS.Signals }
  | { kind: 'failed-to-start'; message: string }

export interface LineChildCallbacks {
  onStdoutLine(line: string): void
  onStderrLine(line: string): void
  /** A line longer than `maxLineBytes` was dropped up to its newline (see read-lines.ts). */
  onOverlong(stream: 'stdout' | 'stderr'): void
}

/** Longest line kept by default: `ip monitor` prints a few hundred bytes a line. */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024

export interface LineChild {
  /** Undefined when the child could not be started. */
  pid: number | undefined
  /** Resolves once the child has ended and its output has been read to the end. */
  ended: Promise<ChildEnd>
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the child has ended. */
  stop(graceMs: number): Promise<ChildEnd>
}

const endOf = (code: number | null, signal: NodeJS.Signals | null): ChildEnd =>
  /* c8 ignore next -- Node passes an exit code whenever no signal ended a started child; 0 only satisfies the type */
  signal === null ? { kind: 'exited', code: code ?? 0 } : { kind: 'signalled', signal }

/**
 * A long-running child whose stdout and stderr arrive line by line. Uses node:child_process
 * rather than execa: loading execa took about 110-150 ms of netmon's 300 ms start-up budget
 * and 3 MB of idle RSS (BENCHMARKS.md, fix 7), for a child that needs only spawn, lines, kill.
 * The child is killed when this process exits, as execa's `cleanup` did.
 */
export const startLineChild = (
  command: string,
  args: readonly string[],
  callbacks: LineChildCallbacks,
  maxLineBytes = DEFAULT_MAX_LINE_BYTES,
): LineChild => {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let startError: Error | undefined
  child.on('error', (error) => {
    startError = error
  })
  readLines(child.stdout, maxLineBytes, { onLine: callbacks.onStdoutLine, onOverlong: () => callbacks.onOverlong('stdout') })
  readLines(child.stderr, maxLineBytes, { onLine: callbacks.onStderrLine, onOverlong: () => callbacks.onOverlong('stderr') })
  const killOnExit = (): void => {
    child.kill('SIGKILL')
  }
  process.once('exit', killOnExit)
  // 'close' comes after 'exit' (or after 'error' when the spawn failed) and after the pipes
  // have been read to the end, so no line is lost.
  const ended = new Promise<ChildEnd>((resolve) => {
    child.once('close', (code, signal) => {
      process.removeListener('exit', killOnExit)
      if (child.pid === undefined) {
        /* c8 ignore next -- a spawn that fails always emits 'error' before 'close'; the fallback only satisfies the type */
        resolve({ kind: 'failed-to-start', message: startError?.message ?? `cannot start ${command}` })
        return
      }
      resolve(endOf(code, signal))
    })
  })
  return {
    pid: child.pid,
    ended,
    async stop(graceMs) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM')
        const escalate = setTimeout(() => child.kill('SIGKILL'), graceMs)
        void ended.then(() => clearTimeout(escalate))
      }
      return ended
    },
  }
}
