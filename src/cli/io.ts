/** The process-level I/O a command may touch; tests pass their own. */
export interface CliIo {
  writeOut(text: string): void
  writeErr(text: string): void
  /** Registers a handler for SIGTERM and SIGINT; returns a function that removes it. */
  onStopSignal(handler: (signal: string) => void): () => void
  /**
   * Registers a handler for SIGHUP, which asks a daemon to reload (by the convention of
   * Unix daemons, and what `systemctl reload` sends), not to exit; returns a function that
   * removes it. Without a handler SIGHUP would kill netmon without removing its socket
   * file or stopping its `ip monitor` child.
   */
  onReloadSignal(handler: () => void): () => void
  setExitCode(code: number): void
}

const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const

export const processIo: CliIo = {
  writeOut: (text) => process.stdout.write(text),
  writeErr: (text) => process.stderr.write(text),
  onStopSignal(handler) {
    for (const signal of STOP_SIGNALS) process.on(signal, handler)
    return () => {
      for (const signal of STOP_SIGNALS) process.off(signal, handler)
    }
  },
  onReloadSignal(handler) {
    process.on('SIGHUP', handler)
    return () => {
      process.off('SIGHUP', handler)
    }
  },
  setExitCode: (code) => {
    process.exitCode = code
  },
}
