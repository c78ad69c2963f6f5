import { nextDeadline, pendingCount } from '../../src/core/reduce.js'
import type { Input } from '../../src/core/inputs.js'
import { discoveryOf, isReady } from '../../src/core/report.js'
import type { Snapshot } from '../../src/core/snapshot.js'
import type { CoreOptions } from '../../src/core/state.js'
import { createCoreStore, type CoreStore, type Dispatched } from '../../src/core/store.js'
import { raw } from './snapshot-builders.js'

/** The core store as the daemon drives it, with short names for each input and public reads only. */
export const driveCore = (options: CoreOptions, store: CoreStore = createCoreStore(options)) => {
  const feed = (input: Input): Dispatched => store.dispatch(input)
  return {
    store,
    feed,
    line: (line: string, at: number) => feed({ type: 'monitor-line', at, line }),
    snap: (truth: Snapshot, at: number) => feed({ type: 'snapshot', at, ...raw(truth) }),
    fail: (error: string, at: number) => feed({ type: 'snapshot-failed', at, error }),
    tick: (at: number) => feed({ type: 'tick', at }),
    resync: (reason: string, at: number) => feed({ type: 'resync', at, reason }),
    deadline: () => nextDeadline(store.getState()),
    pending: () => pendingCount(store.getState()),
    ready: () => isReady(store.getState()),
    discovery: (at: number) => discoveryOf(store.getState(), at),
  }
}
