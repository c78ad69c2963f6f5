import type { TSchema } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import fc from 'fast-check'
import t from 'tap'
import type { Result } from '../../src/core/result.js'
import {
  ErrorReplySchema,
  InterfacesReplySchema,
  NetworkChangeSchema,
  NetworkDiscoverySchema,
  StatusReplySchema,
} from '../../src/schema/protocol.js'
import {
  checkErrorReply,
  checkInterfacesReply,
  checkNetworkChange,
  checkNetworkDiscovery,
  checkStatusReply,
  type Check,
} from '../../src/schema/validate.js'

/*
 * The client validates with Ajv code generated at build time; it used TypeBox's run-time
 * `Value` (Clean, then Check, then the first of Errors). TypeBox stays the oracle: for any
 * message, valid or broken, both must agree on the verdict, on the cleaned value and on
 * the error text the client reports.
 */
const SEED = Number(process.env.NETMON_VALIDATE_SEED ?? 20261202)
const RUNS = Number(process.env.NETMON_VALIDATE_RUNS ?? 400)

/** The client's former check, kept as the oracle. */
const typebox = (schema: TSchema, value: unknown): Result<unknown> => {
  const cleaned: unknown = Value.Clean(schema, Value.Clone(value))
  if (Value.Check(schema, cleaned)) return { ok: true, value: cleaned }
  const first = Value.Errors(schema, cleaned).First()
  return { ok: false, error: first === undefined ? 'does not match the schema' : `${first.path || '/'}: ${first.message}` }
}

const pairs: [string, TSchema, Check<unknown>][] = [
  ['NetworkDiscovery', NetworkDiscoverySchema, checkNetworkDiscovery],
  ['NetworkChange', NetworkChangeSchema, checkNetworkChange],
  ['StatusReply', StatusReplySchema, checkStatusReply],
  ['InterfacesReply', InterfacesReplySchema, checkInterfacesReply],
  ['ErrorReply', ErrorReplySchema, checkErrorReply],
]

const octet = fc.integer({ min: 0, max: 255 })
const ipv4 = fc.tuple(octet, octet, octet, octet).map((parts) => parts.join('.'))
const stamp = fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }).map((date) => `${date.toISOString().slice(0, 23)}456`)
const isoTime = fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }).map((date) => date.toISOString())
const address = fc.record({ address: ipv4, prefixlen: fc.integer({ min: 0, max: 32 }), subnet: fc.tuple(ipv4, fc.integer({ min: 0, max: 32 })).map(([a, p]) => `${a}/${p}`), network_address: ipv4 })
const report = fc.record(
  {
    interface: fc.string({ minLength: 1, maxLength: 15 }),
    index: fc.nat(5000),
    operstate: fc.constantFrom('UP', 'DOWN', 'NOTPRESENT'),
    ipv4_addresses: fc.array(address, { maxLength: 3 }),
    gateway: fc.option(ipv4, { nil: null }),
    timestamp: stamp,
    type: fc.constantFrom('ethernet', 'wifi'),
    status: fc.constantFrom('down', 'removed'),
  },
  { requiredKeys: ['interface', 'index', 'operstate', 'ipv4_addresses', 'gateway', 'timestamp', 'type'] },
)
const count = fc.nat(1e6)
const status = fc.record({
  version: fc.string(),
  uptime_seconds: fc.double({ min: 0, max: 1e7, noNaN: true }),
  ready: fc.boolean(),
  monitor: fc.record({ pid: fc.option(fc.integer({ min: 1, max: 1 << 22 }), { nil: null }), restarts: count, overruns: count, last_record_time: fc.option(isoTime, { nil: null }) }),
  snapshots_taken: count,
  snapshots_failed: count,
  last_snapshot_time: fc.option(isoTime, { nil: null }),
  resyncs: count,
  pending_interfaces: count,
  events_emitted: count,
  clients_connected: count,
})
const valid: Record<string, fc.Arbitrary<unknown>> = {
  NetworkDiscovery: fc.record({ type: fc.constant('network_discovery'), data: fc.record({ interfaces: fc.array(report, { maxLength: 4 }), timestamp: stamp }) }),
  NetworkChange: fc.record({ type: fc.constant('network_change'), data: report }),
  StatusReply: fc.record({ success: fc.constant(true), status }),
  InterfacesReply: fc.record({ success: fc.constant(true), interfaces: fc.array(report, { maxLength: 4 }) }),
  ErrorReply: fc.record({ success: fc.constant(false), error: fc.string({ maxLength: 20 }) }),
}

/** Values that sit on the schema's edges: wrong types, near-misses of patterns and limits. */
const tricky = fc.oneof(
  fc.constantFrom<unknown>(null, true, false, 0, -1, 1.5, 33, 256, '', 'x', '1.2.3.4', '1.2.3.256', '10.0.0.0/33', '2025-11-20T20:30:45.123', '2025-11-20T20:30:45.123Z', 'ethernet', 'wifi', 'tun', 'down', 'removed', 'gone', [], {}, [1], { a: 1 }, '\u{1F600}'),
  fc.jsonValue({ maxDepth: 2 }),
)
type Mutation = { at: number; kind: 'delete' | 'replace' | 'extra'; value: unknown }
const mutations = fc.array(
  fc.record({ at: fc.nat(), kind: fc.constantFrom<Mutation['kind']>('delete', 'replace', 'extra'), value: tricky }),
  { maxLength: 3 },
)

type Json = unknown
/** Every container (object or array) in `value` with the keys it holds, parents first. */
const slots = (value: Json, out: { holder: Record<string, Json> | Json[]; key: string | number }[] = []) => {
  if (Array.isArray(value)) value.forEach((item, index) => (out.push({ holder: value, key: index }), slots(item, out)))
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) out.push({ holder: value as Record<string, Json>, key }), slots(item, out)
  }
  return out
}

const mutate = (message: Json, changes: Mutation[]): Json => {
  const copy = structuredClone(message)
  for (const change of changes) {
    const places = slots(copy)
    const place = places[change.at % Math.max(places.length, 1)]
    if (place === undefined) continue
    const { holder, key } = place
    if (change.kind === 'replace') (holder as Record<string | number, Json>)[key] = structuredClone(change.value)
    else if (change.kind === 'delete') {
      if (Array.isArray(holder)) holder.splice(Number(key), 1)
      else delete holder[key as string]
    } else if (!Array.isArray(holder)) holder[`extra_${String(key)}`] = structuredClone(change.value)
  }
  return copy
}

for (const [name, schema, check] of pairs) {
  t.test(`${name}: the generated check agrees with TypeBox on verdict, cleaned value and error (seed ${SEED}; replay with NETMON_VALIDATE_SEED=${SEED})`, async (t) => {
    const arbitrary = valid[name]
    if (arbitrary === undefined) throw new Error(`no arbitrary for ${name}`)
    let broken = 0
    const run = fc.check(
      fc.property(arbitrary, mutations, (message, changes) => {
        const input = mutate(message, changes)
        const expected = typebox(schema, input)
        if (!expected.ok) broken += 1
        return JSON.stringify(check(structuredClone(input))) === JSON.stringify(expected)
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    )
    const counterexample = run.counterexample
    if (run.failed && counterexample !== null) {
      const input = mutate(...counterexample)
      t.same(check(structuredClone(input)), typebox(schema, input), `differs from TypeBox on ${JSON.stringify(input)} (seed ${run.seed}, path ${run.counterexamplePath ?? ''})`)
    } else t.equal(run.failed, false, `${run.numRuns} messages, same result`)
    t.ok(broken > RUNS / 10, `the mutations broke enough messages to compare errors (${broken} of ${RUNS})`)
  })
}

t.test('errors in the words the client reported before', async (t) => {
  const change = { type: 'network_change', data: { interface: 'ens37', index: 2, operstate: 'UP', ipv4_addresses: [], gateway: null, timestamp: '2025-11-20T20:30:45.123456', type: 'ethernet' } }
  const broken = (patch: Record<string, unknown>) => checkNetworkChange({ ...change, data: { ...change.data, ...patch } })
  t.same(broken({ index: -1 }), { ok: false, error: '/data/index: Expected integer to be greater or equal to 0' })
  t.same(broken({ index: 1.5 }), { ok: false, error: '/data/index: Expected integer' })
  t.same(broken({ type: 'tun' }), { ok: false, error: '/data/type: Expected union value' })
  t.same(broken({ gateway: '1.2.3' }), { ok: false, error: '/data/gateway: Expected union value' })
  t.same(broken({ interface: '' }), { ok: false, error: '/data/interface: Expected string length greater or equal to 1' })
  t.same(broken({ timestamp: '2025-11-20T20:30:45.123' }), {
    ok: false,
    error: "/data/timestamp: Expected string to match '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{6}$'",
  })
  t.same(checkNetworkChange({ type: 'network_change', data: { ...change.data, gateway: undefined } }), { ok: false, error: '/data/gateway: Expected required property' })
  t.same(checkStatusReply({ success: 1, status: {} }), { ok: false, error: '/success: Expected true' })
  const address = { address: '10.0.0.5', prefixlen: 33, subnet: '10.0.0.0/24', network_address: '10.0.0.0' }
  t.same(broken({ ipv4_addresses: [address] }), { ok: false, error: '/data/ipv4_addresses/0/prefixlen: Expected integer to be less or equal to 32' })
  const monitor = { pid: null, restarts: 0, overruns: 0, last_record_time: null }
  const counts = { snapshots_taken: 0, snapshots_failed: 0, last_snapshot_time: null, resyncs: 0, pending_interfaces: 0, events_emitted: 0, clients_connected: 0 }
  t.same(checkStatusReply({ success: true, status: { version: '1', uptime_seconds: -0.5, ready: true, monitor, ...counts } }), {
    ok: false,
    error: '/status/uptime_seconds: Expected number to be greater or equal to 0',
  })
  t.same(checkNetworkChange({ ...change, data: { ...change.data, mtu: 1500 } }), { ok: true, value: change }, 'unknown fields are dropped')
})

t.test('a message that is no object at all: the error is at the root, as TypeBox words it', async (t) => {
  t.same(checkNetworkDiscovery(null), { ok: false, error: '/: Expected object' })
  for (const value of [null, 42, 'network_discovery', [], true]) {
    for (const [name, schema, check] of pairs) t.same(check(value), typebox(schema, value), `${name}: ${JSON.stringify(value)}`)
  }
})
