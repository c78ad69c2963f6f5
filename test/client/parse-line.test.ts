import t from 'tap'
import { parseLine } from '../../src/client/parse-line.js'
import { SAMPLE_STATUS } from '../helpers/sample-status.js'

const REPORT = {
  interface: 'ens37',
  index: 2,
  operstate: 'UP',
  ipv4_addresses: [{ address: '10.0.0.5', prefixlen: 24, subnet: '10.0.0.0/24', network_address: '10.0.0.0' }],
  gateway: null,
  timestamp: '2025-11-20T20:30:45.123456',
  type: 'ethernet',
}
const DISCOVERY = { type: 'network_discovery', data: { interfaces: [REPORT], timestamp: REPORT.timestamp } }
const CHANGE = { type: 'network_change', data: REPORT }

const line = (message: unknown): string => JSON.stringify(message)

t.test('events: a discovery or a change that fits the schema, else malformed with the first problem', async (t) => {
  t.same(parseLine(line(DISCOVERY)), { kind: 'discovery', event: DISCOVERY })
  t.same(parseLine(line(CHANGE)), { kind: 'change', event: CHANGE })
  const badDiscovery = line({ ...DISCOVERY, data: { interfaces: [] } })
  t.same(parseLine(badDiscovery), { kind: 'malformed', line: badDiscovery, reason: 'bad network_discovery: /data/timestamp: Expected required property' })
  const badChange = line({ ...CHANGE, data: { ...REPORT, index: -1 } })
  t.same(parseLine(badChange), { kind: 'malformed', line: badChange, reason: 'bad network_change: /data/index: Expected integer to be greater or equal to 0' })
})

t.test('replies: the variant is chosen by its fields, then checked', async (t) => {
  t.same(parseLine(line({ success: true, status: SAMPLE_STATUS })), { kind: 'reply', reply: { success: true, status: SAMPLE_STATUS } })
  t.same(parseLine(line({ success: true, interfaces: [REPORT] })), { kind: 'reply', reply: { success: true, interfaces: [REPORT] } })
  t.same(parseLine(line({ success: false, error: 'unknown command' })), { kind: 'reply', reply: { success: false, error: 'unknown command' } })
  const badStatus = line({ success: true, status: { ...SAMPLE_STATUS, ready: 'yes' } })
  t.same(parseLine(badStatus), { kind: 'malformed', line: badStatus, reason: 'bad reply: /status/ready: Expected boolean', badReply: true })
  const badError = line({ success: false })
  t.same(parseLine(badError), { kind: 'malformed', line: badError, reason: 'bad reply: /error: Expected required property', badReply: true })
  const badInterfaces = line({ success: true })
  t.same(parseLine(badInterfaces), { kind: 'malformed', line: badInterfaces, reason: 'bad reply: /interfaces: Expected required property', badReply: true })
  const notFalse = line({ success: 1, interfaces: [] })
  t.same(parseLine(notFalse), { kind: 'malformed', line: notFalse, reason: 'bad reply: /success: Expected true', badReply: true }, 'only success: false is an error reply')
})

t.test('a type this client does not know is passed through; one that is no string is malformed', async (t) => {
  const future = { type: 'network_summary', data: { count: 1 } }
  t.same(parseLine(line(future)), { kind: 'unknown', type: 'network_summary', message: future })
  t.same(parseLine('{"type":5}'), { kind: 'malformed', line: '{"type":5}', reason: '"type" is not a string: 5' })
  t.same(parseLine('{"type":null}'), { kind: 'malformed', line: '{"type":null}', reason: '"type" is not a string: null' })
  const huge = line({ type: ['x'.repeat(300)] })
  t.same(parseLine(huge), { kind: 'malformed', line: huge, reason: `"type" is not a string: ${`["${'x'.repeat(300)}"]`.slice(0, 200)}...` }, 'a long value is cut at 200 characters')
  const edge = line({ type: ['x'.repeat(196)] })
  t.same(parseLine(edge), { kind: 'malformed', line: edge, reason: `"type" is not a string: ["${'x'.repeat(196)}"]` }, '200 characters are kept whole')
})

t.test('not JSON, or JSON that is no object: malformed, never thrown', async (t) => {
  t.match(parseLine('{"type":'), { kind: 'malformed', line: '{"type":', reason: /^invalid JSON \(.+\)$/ })
  t.same(parseLine(''), { kind: 'malformed', line: '', reason: 'invalid JSON (Unexpected end of JSON input)' })
  for (const text of ['42', '"network_discovery"', 'null', '[{"type":"network_change"}]']) {
    t.same(parseLine(text), { kind: 'malformed', line: text, reason: 'not a JSON object' }, text)
  }
})
