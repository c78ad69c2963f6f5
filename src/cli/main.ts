import { processIo } from './io.js'
import { createProgram } from './program.js'

/** The process entry: only here (and in bin/) does netmon touch `process` directly. */
export const main = async (argv: readonly string[]): Promise<void> => {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    // A reader of --stdout that went away must not take the socket clients down with it.
    if (error.code !== 'EPIPE') throw error
  })
  await createProgram(processIo).parseAsync([...argv])
}
