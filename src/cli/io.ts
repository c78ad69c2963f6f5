/** The process-level I/O a command may touch; tests pass their own. */
export interface CliIo {
  writeOut(text: string): void
  writeErr(text: string): void
  /** Registers a handler for SIGTERM and SIGINT; returns a function that removes it. */
  onStopSignal(handler: (signal: string) => void): () => void
  setExitCode(code: number): void
}

export const processIo: CliIo = {
  writeOut: (text) => process.stdout.write(text),
  writeErr: (text) => process.stderr.write(text),
  onStopSignal(handler) {
    process.on('SIGTERM', handler)
    process.on('SIGINT', handler)
    return () => {
      process.off('SIGTERM', handler)
      process.off('SIGINT', handler)
    }
  },
  setExitCode: (code) => {
    process.exitCode = code
  },
}
