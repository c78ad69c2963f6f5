/** The process-level I/O a command may touch; tests pass their own. */
export interface CliIo {
  writeOut(text: string): void
  writeErr(text: string): void
  /**
   * Registers a handler for SIGTERM, SIGINT and SIGHUP; returns a function that removes it.
   * SIGHUP (a closed terminal) would otherwise kill netmon without removing its socket file
   * or stopping its `ip monitor` child.
   */
  onStopSignal(handler: (signal: string) => void): () => void
  setExitCode(code: number): void
}

const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const

export const processIo: CliIo = {
  writeOut: (text) => process.stdout.write(text),
  writeErr: (text) => process.stderr.write(text),
  onStopSignal(handler) {
    for (const signal of STOP_SIGNALS) process.on(signal, handler)
    return () => {
      for (const signal of STOP_SIGNALS) process.off(signal, handler)
    }
  },
  setExitCode: (code) => {
    process.exitCode = code
  },
}
