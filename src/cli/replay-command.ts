import { readFixture } from '../adapters/fixture-files.js'
import { encodeLine } from '../core/protocol.js'
import { replay } from '../core/replay.js'
import { messageOf } from '../core/result.js'
import type { CliIo } from './io.js'

/** `netmon replay <dir>`: prints the events the reducer makes of a fixture, on its own clock. */
export const replayCommand = (dir: string, io: CliIo): number => {
  let fixture
  try {
    fixture = readFixture(dir)
  } catch (error) {
    io.writeErr(`netmon replay: ${messageOf(error)}\n`)
    return 1
  }
  const result = replay(fixture.options, fixture.inputs)
  for (const warning of result.warnings) io.writeErr(`netmon replay: warning: ${warning}\n`)
  for (const event of result.events) io.writeOut(encodeLine(event))
  return 0
}
