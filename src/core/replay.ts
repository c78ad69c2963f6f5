import type { Input } from './inputs.js'
import type { ProtocolEvent } from './protocol.js'
import { nextDeadline } from './reduce.js'
import type { CoreOptions } from './state.js'
import { createCoreStore } from './store.js'

export interface ReplayResult {
  events: ProtocolEvent[]
  warnings: string[]
}

/**
 * Runs recorded inputs through the core store on the recording's own clock, without
 * waiting. A recording made by the daemon holds its timer ticks, which fire late by the
 * event loop's delay (and may then close several windows at once): those are replayed as
 * they were. Only a fixture without ticks (written by hand) gets them at the exact
 * deadlines the core asks for.
 */
export const replay = (options: CoreOptions, inputs: readonly Input[]): ReplayResult => {
  const store = createCoreStore(options)
  const events: ProtocolEvent[] = []
  const warnings: string[] = []

  const apply = (input: Input): void => {
    const dispatched = store.dispatch(input)
    events.push(...dispatched.events)
    for (const effect of dispatched.effects) {
      // Stryker disable next-line ConditionalExpression: equivalent; only log effects have a level
      if (effect.type === 'log' && effect.level === 'warn') {
        warnings.push(effect.fields === undefined ? effect.message : `${effect.message} ${JSON.stringify(effect.fields)}`)
      }
    }
  }

  const tickUntil = (until: number): void => {
    for (;;) {
      const deadline = nextDeadline(store.getState())
      if (deadline === undefined || deadline > until) return
      apply({ type: 'tick', at: deadline })
    }
  }

  const synthesizeTicks = !inputs.some((input) => input.type === 'tick')
  for (const input of inputs) {
    if (synthesizeTicks) tickUntil(input.at)
    apply(input)
  }
  // No ticks after the last input: a tick alone asks for a read, and emits nothing.
  return { events, warnings }
}
