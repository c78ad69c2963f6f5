import type { DaemonStatus } from '../../src/schema/protocol.js'

/** A `get_status` status that fits the schema, for tests that build or parse a reply. */
export const SAMPLE_STATUS: DaemonStatus = {
  version: '1.0.0',
  uptime_seconds: 1,
  ready: true,
  monitor: { pid: 7, restarts: 0, overruns: 0, last_record_time: null },
  snapshots_taken: 1,
  snapshots_failed: 0,
  last_snapshot_time: null,
  resyncs: 1,
  pending_interfaces: 0,
  events_emitted: 1,
  clients_connected: 1,
}
