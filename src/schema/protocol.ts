import { Type, type Static, type TSchema } from '@sinclair/typebox'

/**
 * The wire protocol of ../../shared/seed/network-monitor.md, defined once: TypeBox gives both
 * the TypeScript types (`Static<...>`) and the JSON Schema (`npm run schema` writes
 * schema/netmon-protocol.schema.json from `PROTOCOL_DEFS`). Objects are closed
 * (`additionalProperties: false`) so a field the daemon adds without a schema change fails
 * the integration tests; clients should still ignore fields they do not know.
 */

const closed = { additionalProperties: false } as const

/** The seed's timestamp: local time with microseconds and no zone. */
export const EVENT_TIMESTAMP_PATTERN = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{6}$'
/** `Date.prototype.toISOString()`: UTC, milliseconds, `Z` (the status object's times). */
export const ISO_UTC_PATTERN = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$'
/** A dotted-quad IPv4 address. */
export const IPV4_PATTERN = '^(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}$'
const SUBNET_PATTERN = `${IPV4_PATTERN.slice(0, -1)}/(3[0-2]|[12]?\\d)$`

const EventTimestamp = Type.String({ pattern: EVENT_TIMESTAMP_PATTERN, description: 'local time, microseconds, no zone' })
const Ipv4 = Type.String({ pattern: IPV4_PATTERN })
const IsoTimeOrNull = Type.Union([Type.String({ pattern: ISO_UTC_PATTERN }), Type.Null()])
const Count = Type.Integer({ minimum: 0 })

export const Ipv4AddressReportSchema = Type.Object(
  {
    address: Ipv4,
    prefixlen: Type.Integer({ minimum: 0, maximum: 32 }),
    subnet: Type.String({ pattern: SUBNET_PATTERN, description: 'network_address/prefixlen' }),
    network_address: Ipv4,
  },
  { title: 'Ipv4AddressReport', ...closed },
)

export const InterfaceTypeSchema = Type.Union([Type.Literal('ethernet'), Type.Literal('wifi')], { title: 'InterfaceType' })

export const LeaveStatusSchema = Type.Union([Type.Literal('down'), Type.Literal('removed')], {
  title: 'LeaveStatus',
  description: 'Present only on a change that takes an interface out of the report',
})

export const InterfaceReportSchema = Type.Object(
  {
    interface: Type.String({ minLength: 1 }),
    index: Type.Integer({ minimum: 0 }),
    operstate: Type.String({
      minLength: 1,
      description: 'the kernel operstate: UP while reported; NOTPRESENT once the link is removed',
    }),
    ipv4_addresses: Type.Array(Ipv4AddressReportSchema, { description: 'empty on a change with status' }),
    gateway: Type.Union([Ipv4, Type.Null()]),
    timestamp: EventTimestamp,
    type: InterfaceTypeSchema,
    status: Type.Optional(LeaveStatusSchema),
  },
  { title: 'InterfaceReport', ...closed },
)

export const NetworkDiscoverySchema = Type.Object(
  {
    type: Type.Literal('network_discovery'),
    data: Type.Object({ interfaces: Type.Array(InterfaceReportSchema), timestamp: EventTimestamp }, closed),
  },
  { title: 'NetworkDiscovery', description: 'Sent first on every connection: every reported interface', ...closed },
)

export const NetworkChangeSchema = Type.Object(
  { type: Type.Literal('network_change'), data: InterfaceReportSchema },
  { title: 'NetworkChange', description: 'One interface changed, appeared or (with status) left the report', ...closed },
)

export const ProtocolEventSchema = Type.Union([NetworkDiscoverySchema, NetworkChangeSchema], { title: 'ProtocolEvent' })

export const DaemonStatusSchema = Type.Object(
  {
    version: Type.String(),
    uptime_seconds: Type.Number({ minimum: 0 }),
    ready: Type.Boolean(),
    monitor: Type.Object(
      {
        pid: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
        restarts: Count,
        overruns: Count,
        last_record_time: IsoTimeOrNull,
      },
      closed,
    ),
    snapshots_taken: Count,
    snapshots_failed: Count,
    last_snapshot_time: IsoTimeOrNull,
    resyncs: Count,
    pending_interfaces: Count,
    events_emitted: Count,
    clients_connected: Count,
  },
  { title: 'DaemonStatus', ...closed },
)

export const GetStatusCommandSchema = Type.Object({ command: Type.Literal('get_status') }, { title: 'GetStatusCommand', ...closed })
export const GetInterfacesCommandSchema = Type.Object(
  { command: Type.Literal('get_interfaces') },
  { title: 'GetInterfacesCommand', ...closed },
)
export const OtherCommandSchema = Type.Object(
  { command: Type.String() },
  { title: 'OtherCommand', description: 'Any other command: answered with an ErrorReply' },
)
export const CommandSchema = Type.Union([GetStatusCommandSchema, GetInterfacesCommandSchema, OtherCommandSchema], {
  title: 'Command',
  description: 'A client line; every line gets exactly one reply, in order',
})

export const StatusReplySchema = Type.Object(
  { success: Type.Literal(true), status: DaemonStatusSchema },
  { title: 'StatusReply', ...closed },
)
export const InterfacesReplySchema = Type.Object(
  { success: Type.Literal(true), interfaces: Type.Array(InterfaceReportSchema) },
  { title: 'InterfacesReply', ...closed },
)
export const ErrorReplySchema = Type.Object(
  { success: Type.Literal(false), error: Type.String({ minLength: 1 }) },
  { title: 'ErrorReply', ...closed },
)
export const ReplySchema = Type.Union([StatusReplySchema, InterfacesReplySchema, ErrorReplySchema], {
  title: 'Reply',
  description: 'The answer to one command line; never has a `type` field',
})

export type Ipv4AddressReport = Static<typeof Ipv4AddressReportSchema>
export type InterfaceType = Static<typeof InterfaceTypeSchema>
export type LeaveStatus = Static<typeof LeaveStatusSchema>
export type InterfaceReport = Static<typeof InterfaceReportSchema>
export type NetworkDiscovery = Static<typeof NetworkDiscoverySchema>
export type NetworkChange = Static<typeof NetworkChangeSchema>
export type ProtocolEvent = Static<typeof ProtocolEventSchema>
export type DaemonStatus = Static<typeof DaemonStatusSchema>
export type GetStatusCommand = Static<typeof GetStatusCommandSchema>
export type GetInterfacesCommand = Static<typeof GetInterfacesCommandSchema>
export type OtherCommand = Static<typeof OtherCommandSchema>
export type Command = Static<typeof CommandSchema>
export type StatusReply = Static<typeof StatusReplySchema>
export type InterfacesReply = Static<typeof InterfacesReplySchema>
export type ErrorReply = Static<typeof ErrorReplySchema>
export type Reply = Static<typeof ReplySchema>

/** The named definitions, in the order the JSON Schema lists them under `$defs`. */
export const PROTOCOL_DEFS = {
  Ipv4AddressReport: Ipv4AddressReportSchema,
  InterfaceType: InterfaceTypeSchema,
  LeaveStatus: LeaveStatusSchema,
  InterfaceReport: InterfaceReportSchema,
  NetworkDiscovery: NetworkDiscoverySchema,
  NetworkChange: NetworkChangeSchema,
  ProtocolEvent: ProtocolEventSchema,
  DaemonStatus: DaemonStatusSchema,
  GetStatusCommand: GetStatusCommandSchema,
  GetInterfacesCommand: GetInterfacesCommandSchema,
  OtherCommand: OtherCommandSchema,
  Command: CommandSchema,
  StatusReply: StatusReplySchema,
  InterfacesReply: InterfacesReplySchema,
  ErrorReply: ErrorReplySchema,
  Reply: ReplySchema,
} satisfies Record<string, TSchema>
