import type { Input } from './inputs.js'
import type { ProtocolEvent } from './protocol.js'
import { discoveryOf, nextDeadline, reduce } from './reduce.js'
import type { RecordedInput } from './recording.js'
import { toInput } from './recording.js'
import { initialState, type CoreOptions, type State } from './state.js'

export interface ReplayResult {
  events: ProtocolEvent[]
  warnings: string[]
}

/**
 * Runs recorded inputs through the reducer on the recording's own clock, without waiting.
 * A recording made by the daemon holds its timer ticks, which fire late by the event
 * loop's delay (and may then close several windows at once): those are replayed as they
 * were. Only a fixture without ticks (written by hand) gets them at the exact deadlines
 * the core asks for. The discovery comes first, at the moment the first snapshot makes the
 * core ready, as the live daemon prints it.
 */
export const replay = (options: CoreOptions, recorded: readonly RecordedInput[]): ReplayResult => {
  let state: State = initialState(options)
  const events: ProtocolEvent[] = []
  const warnings: string[] = []

  const apply = (input: Input): void => {
    const wasReady = state.ready
    const result = reduce(state, input)
    state = result.state
    if (!wasReady && state.ready) events.push(discoveryOf(state, input.at))
    events.push(...result.emit)
    for (const effect of result.effects) if (effect.type === 'warn') warnings.push(effect.message)
  }

  const tickUntil = (until: number): void => {
    for (let deadline = nextDeadline(state); deadline !== undefined && deadline <= until; deadline = nextDeadline(state)) {
      apply({ type: 'tick', at: deadline })
    }
  }

  const synthesizeTicks = !recorded.some((entry) => entry.type === 'tick')
  for (const entry of recorded) {
    if (synthesizeTicks) tickUntil(entry.at)
    const input = toInput(entry)
    if (input.ok) apply(input.value)
    else warnings.push(`recorded ${entry.type} at ${entry.at}: ${input.error}`)
  }
  if (synthesizeTicks) tickUntil(Number.POSITIVE_INFINITY)
  return { events, warnings }
}
