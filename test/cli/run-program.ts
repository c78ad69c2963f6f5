import { CommanderError, type Command } from 'commander'
import type { CliIo } from '../../src/cli/io.js'
import { createProgram } from '../../src/cli/program.js'

export interface ProgramRun {
  out: string
  err: string
  exitCode: number | undefined
  /** The CommanderError commander would have exited with, if any. */
  error: CommanderError | undefined
}

/** Parses `args` with a fresh program whose exits throw instead of ending the test process. */
export const runProgram = async (args: string[]): Promise<ProgramRun> => {
  const result: ProgramRun = { out: '', err: '', exitCode: undefined, error: undefined }
  const io: CliIo = {
    writeOut: (text) => (result.out += text),
    writeErr: (text) => (result.err += text),
    onStopSignal: () => () => {},
    onReloadSignal: () => () => {},
    setExitCode: (code) => (result.exitCode = code),
  }
  const program = createProgram(io)
  const overrideExits = (command: Command): void => {
    command.exitOverride()
    command.commands.forEach(overrideExits)
  }
  overrideExits(program)
  try {
    await program.parseAsync(args, { from: 'user' })
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error
    result.error = error
  }
  return result
}
