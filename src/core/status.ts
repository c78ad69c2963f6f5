import type { DaemonStatus } from '../schema/protocol.js'
import { pendingCount } from './reduce.js'
import { isReady } from './report.js'
import type { State } from './state.js'

/** Everything `get_status` is made of, gathered by the daemon and the socket server. */
export interface StatusParts {
  version: string
  startedAt: number
  now: number
  state: State
  monitor: { pid: number | null; restarts: number; overruns: number; lastRecordAt: number | null }
  clientsConnected: number
}

const isoOrNull = (at: number | null): string | null => (at === null ? null : new Date(at).toISOString())

/** The `get_status` reply's status, from its parts. */
export const statusOf = ({ version, startedAt, now, state, monitor, clientsConnected }: StatusParts): DaemonStatus => ({
  version,
  uptime_seconds: Math.round((now - startedAt) / 1000),
  ready: isReady(state),
  monitor: {
    pid: monitor.pid,
    restarts: monitor.restarts,
    overruns: monitor.overruns,
    last_record_time: isoOrNull(monitor.lastRecordAt),
  },
  snapshots_taken: state.counts.snapshotsTaken,
  snapshots_failed: state.counts.snapshotsFailed,
  last_snapshot_time: isoOrNull(state.counts.lastSnapshotAt),
  resyncs: state.counts.resyncs,
  pending_interfaces: pendingCount(state),
  events_emitted: state.counts.changesEmitted,
  clients_connected: clientsConnected,
})
