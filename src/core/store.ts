import type { Backoff } from './backoff.js'
import type { Input } from './inputs.js'
import type { ProtocolEvent } from './protocol.js'
import { createReducer, type Effect } from './reduce.js'
import { initialState, type CoreOptions, type State } from './state.js'

/** What one dispatched input produced. */
export interface Dispatched {
  events: ProtocolEvent[]
  effects: Effect[]
}

/**
 * The one dispatch loop, in the manner of redux's store: the daemon, replay and the tests
 * all feed the core through it. `onInput` hears every input before it is reduced (what
 * `netmon record` writes to a fixture).
 */
export interface CoreStore {
  dispatch(input: Input): Dispatched
  getState(): State
  onInput(tap: (input: Input) => void): () => void
}

export const createCoreStore = (options: CoreOptions, snapshotRetry?: Backoff): CoreStore => {
  const reduce = createReducer(options, snapshotRetry)
  const taps = new Set<(input: Input) => void>()
  let state = initialState()
  let dispatching = false
  return {
    dispatch(input) {
      // Like redux: an effect handler that dispatched synchronously would reduce from a stale state.
      if (dispatching) throw new Error(`dispatch of ${input.type} while another input is being reduced`)
      dispatching = true
      try {
        for (const tap of taps) tap(input)
        const transition = reduce(state, input)
        state = transition.state
        return { events: transition.emit, effects: transition.effects }
      } finally {
        dispatching = false
      }
    },
    getState: () => state,
    onInput(tap) {
      taps.add(tap)
      return () => taps.delete(tap)
    },
  }
}
