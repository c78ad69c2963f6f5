import { createFixtureWriter } from '../adapters/fixture-files.js'
import { messageOf } from '../core/result.js'
import type { CliIo } from './io.js'
import { coreOptionsOf, serve, type ServeOptions } from './serve.js'

export interface RecordOptions extends ServeOptions {
  out: string
  description: string
  /** Stop by itself after this long; 0 waits for SIGINT/SIGTERM. */
  duration: number
}

/**
 * `netmon record`: runs the daemon (without a socket unless asked) and writes every input
 * and event into a fixture folder that `netmon replay` and the tests can replay.
 */
export const recordCommand = async (options: RecordOptions, io: CliIo): Promise<number> => {
  let writer
  try {
    writer = createFixtureWriter(options.out, options.description, coreOptionsOf(options))
  } catch (error) {
    io.writeErr(`netmon record: ${messageOf(error)}\n`)
    return 1
  }
  const fixture = writer
  const until =
    options.duration > 0 ? new Promise<void>((resolve) => setTimeout(resolve, options.duration).unref()) : undefined
  const code = await serve(
    options,
    io,
    { onInput: (input) => fixture.input(input), onReady: (event) => fixture.event(event), onChange: (event) => fixture.event(event) },
    until,
  )
  await fixture.close()
  return code
}
