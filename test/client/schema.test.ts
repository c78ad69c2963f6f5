import { readFileSync } from 'node:fs'
import t from 'tap'
import { protocolJsonSchemaText } from '../../src/schema/json-schema.js'
import { assertProtocolMessage, protocolErrors, SCHEMA_PATH } from '../helpers/protocol-schema.js'

const report = {
  interface: 'ens37',
  index: 2,
  operstate: 'UP',
  ipv4_addresses: [{ address: '192.168.1.50', prefixlen: 24, subnet: '192.168.1.0/24', network_address: '192.168.1.0' }],
  gateway: '192.168.1.1',
  timestamp: '2025-11-20T20:30:45.123456',
  type: 'ethernet',
}
const status = {
  version: '0.1.0',
  uptime_seconds: 12.5,
  ready: true,
  monitor: { pid: 42, restarts: 0, overruns: 0, last_record_time: '2025-11-20T20:30:45.123Z' },
  snapshots_taken: 3,
  snapshots_failed: 0,
  last_snapshot_time: null,
  resyncs: 0,
  pending_interfaces: 0,
  events_emitted: 2,
  clients_connected: 1,
}

t.test('the committed schema file is the generated one (run `npm run schema` after changing src/schema)', async (t) => {
  t.equal(readFileSync(SCHEMA_PATH, 'utf8'), protocolJsonSchemaText())
})

t.test('the seed examples and every reply shape are valid', async (t) => {
  const valid = [
    { type: 'network_discovery', data: { interfaces: [report], timestamp: '2025-11-20T20:30:45.123456' } },
    { type: 'network_discovery', data: { interfaces: [], timestamp: '2025-11-20T20:30:45.123456' } },
    { type: 'network_change', data: report },
    { type: 'network_change', data: { ...report, type: 'wifi', gateway: null } },
    {
      type: 'network_change',
      data: { ...report, operstate: 'NOTPRESENT', ipv4_addresses: [], gateway: null, status: 'removed' },
    },
    { type: 'network_change', data: { ...report, operstate: 'DOWN', ipv4_addresses: [], gateway: null, status: 'down' } },
    { success: true, status },
    { success: true, interfaces: [report] },
    { success: false, error: 'Unknown command: reboot' },
  ]
  for (const message of valid) assertProtocolMessage(t, JSON.stringify(message))
  for (const command of [{ command: 'get_status' }, { command: 'get_interfaces' }, { command: 'reboot', now: true }]) {
    t.equal(protocolErrors(command, 'Command'), undefined, JSON.stringify(command))
  }
})

t.test('drift is caught', async (t) => {
  const invalid: [string, unknown][] = [
    ['timestamp with a zone', { type: 'network_change', data: { ...report, timestamp: '2025-11-20T20:30:45.123Z' } }],
    ['milliseconds only', { type: 'network_change', data: { ...report, timestamp: '2025-11-20T20:30:45.123' } }],
    ['unknown status', { type: 'network_change', data: { ...report, status: 'gone' } }],
    ['unknown interface type', { type: 'network_change', data: { ...report, type: 'tun' } }],
    ['an extra field', { type: 'network_change', data: { ...report, mtu: 1500 } }],
    ['a missing field', { type: 'network_change', data: { ...report, gateway: undefined } }],
    ['prefixlen 33', { type: 'network_change', data: { ...report, ipv4_addresses: [{ ...report.ipv4_addresses[0], prefixlen: 33 }] } }],
    ['an unknown event type', { type: 'network_gone', data: report }],
    ['a reply with a type', { type: 'reply', success: true, interfaces: [] }],
    ['a status field missing', { success: true, status: { ...status, clients_connected: undefined } }],
    ['a status with a local time', { success: true, status: { ...status, last_snapshot_time: '2025-11-20T20:30:45.123456' } }],
    ['an error reply without text', { success: false, error: '' }],
  ]
  for (const [what, message] of invalid) t.not(protocolErrors(JSON.parse(JSON.stringify(message))), undefined, what)
  t.not(protocolErrors({ verb: 'get_status' }, 'Command'), undefined, 'a command without `command`')
})
