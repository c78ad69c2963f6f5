import type { Input } from './core/inputs.js'
import { checkLineLimit } from './core/line-limit.js'
import { encodeDiscoveryLine, formatTimestamp, type InterfaceReport, type NetworkChange, type NetworkDiscovery } from './core/protocol.js'
import { discoveryOf, interfacesOf, nextDeadline, pendingCount, reduce } from './core/reduce.js'
import type { RecordedInput } from './core/recording.js'
import type { DaemonStatus as ProtocolStatus } from './schema/protocol.js'
import { unreachable } from './core/result.js'
import { initialState, type CoreOptions, type State } from './core/state.js'
import { systemClock, type Clock } from './adapters/clock.js'
import { createSnapshotReader, type SnapshotReader } from './adapters/ip-snapshot.js'
import { startMonitor, type Monitor, type MonitorCallbacks } from './adapters/ip-monitor.js'
import type { Logger } from './adapters/logger.js'
import { readProcNetlink } from './adapters/netlink-subscription.js'
import { createSnapshotRunner } from './snapshot-runner.js'

export interface DaemonOptions {
  core: CoreOptions
  ipPath: string
  /** A snapshot command that takes longer is killed and retried. */
  snapshotTimeoutMs: number
  subscribeTimeoutMs: number
  /** Cap of the retry backoff for the monitor child and for failed snapshots. */
  maxBackoffMs: number
}

export const DEFAULT_DAEMON_TIMEOUTS = { snapshotTimeoutMs: 5000, subscribeTimeoutMs: 3000, maxBackoffMs: 5000 }

export interface DaemonDeps {
  clock: Clock
  logger: Logger
  readSnapshot: SnapshotReader
  startMonitor: (callbacks: MonitorCallbacks) => Monitor
}

/** Everything a consumer of the daemon can hear. */
export interface DaemonListener {
  /** The first snapshot is in: the discovery can be served. */
  onReady?(discovery: NetworkDiscovery): void
  onChange?(event: NetworkChange): void
  /** Every input as the core received it (for `netmon record`). */
  onInput?(input: RecordedInput): void
}

/** What `get_status` reports of the daemon; the socket server adds `clients_connected`. */
export type DaemonStatus = Omit<ProtocolStatus, 'clients_connected'>

export interface Daemon {
  /** Resolves when the first snapshot has set the initial report. */
  ready: Promise<void>
  isReady(): boolean
  discovery(): NetworkDiscovery
  /** The discovery as one encoded line, cheap to call for every client that connects. */
  discoveryLine(): string
  interfaces(): InterfaceReport[]
  status(): DaemonStatus
  subscribe(listener: DaemonListener): () => void
  /** Reads the truth again (as after a lost record): what differs from the report is reported after the debounce. */
  resync(reason: string): void
  stop(): Promise<void>
}

export const realDaemonDeps = (options: DaemonOptions, logger: Logger, clock: Clock = systemClock): DaemonDeps => ({
  clock,
  logger,
  readSnapshot: createSnapshotReader({
    ipPath: options.ipPath,
    timeoutMs: options.snapshotTimeoutMs,
    sysfsNet: '/sys/class/net',
  }),
  startMonitor: (callbacks) =>
    startMonitor(
      {
        ipPath: options.ipPath,
        clock,
        logger,
        readNetlinkTable: readProcNetlink,
        subscribeTimeoutMs: options.subscribeTimeoutMs,
        maxBackoffMs: options.maxBackoffMs,
      },
      callbacks,
    ),
})

const isoOrNull = (at: number | null): string | null => (at === null ? null : new Date(at).toISOString())

/**
 * The composition root: feeds monitor lines, snapshots and timer ticks into the pure core,
 * carries out its effects (snapshots, one timer for the next debounce deadline) and hands
 * its events to listeners. Owns shutdown.
 */
export const startDaemon = (options: DaemonOptions, deps: DaemonDeps, version = '0.0.0'): Daemon => {
  const { clock, logger } = deps
  const startedAt = clock.now()
  const listeners = new Set<DaemonListener>()
  const counters = { resyncs: 0, events: 0 }
  let state: State = initialState(options.core)
  let stopped = false
  let cancelTick: (() => void) | undefined
  let tickAt: number | undefined
  let encodedInterfaces: { reported: State['reported']; json: string } | undefined
  let discoveryOverLimit = false
  let markReady: () => void = () => {}
  const ready = new Promise<void>((resolve) => (markReady = resolve))

  /** One warning when the discovery line passes asyncio's default 64 KiB line limit (docs/migrating.md). */
  const warnAboutSize = (bytes: number): void => {
    const check = checkLineLimit(discoveryOverLimit, bytes)
    discoveryOverLimit = check.over
    if (check.warning !== undefined) logger.warn(check.warning, { bytes, interfaces: state.reported.size })
  }

  const record = (input: RecordedInput): void => {
    for (const listener of listeners) listener.onInput?.(input)
  }

  const snapshots = createSnapshotRunner(
    { read: deps.readSnapshot, clock, logger, maxBackoffMs: options.maxBackoffMs },
    {
      onRaw: (raw, at) => record({ type: 'snapshot', at, ...raw }),
      onSnapshot: (snapshot, at) => dispatch({ type: 'snapshot', snapshot, at }),
    },
  )

  const scheduleTick = (): void => {
    const deadline = nextDeadline(state)
    if (deadline === tickAt) return
    cancelTick?.()
    cancelTick = undefined
    tickAt = deadline
    if (deadline === undefined || stopped) return
    cancelTick = clock.at(deadline, () => {
      tickAt = undefined
      cancelTick = undefined
      const at = clock.now()
      record({ type: 'tick', at })
      dispatch({ type: 'tick', at })
    })
  }

  const dispatch = (input: Input): void => {
    if (stopped) return
    const wasReady = state.ready
    const step = reduce(state, input)
    state = step.state
    if (!wasReady && state.ready) {
      logger.info('ready', { interfaces: state.reported.size })
      const discovery = discoveryOf(state, input.at)
      for (const listener of listeners) listener.onReady?.(discovery)
      markReady()
    }
    for (const event of step.emit) {
      counters.events += 1
      logger.info('network_change', { interface: event.data.interface, status: event.data.status ?? null })
      for (const listener of listeners) listener.onChange?.(event)
    }
    for (const effect of step.effects) {
      switch (effect.type) {
        case 'take-snapshot':
          snapshots.take()
          break
        case 'warn':
          logger.warn(effect.message)
          break
        default:
          unreachable(effect)
      }
    }
    scheduleTick()
  }

  const resync = (reason: string): void => {
    const at = clock.now()
    counters.resyncs += 1
    record({ type: 'resync', at, reason })
    dispatch({ type: 'resync', reason, at })
  }

  const monitor = deps.startMonitor({
    onLine(line) {
      const at = clock.now()
      record({ type: 'monitor-line', at, line })
      dispatch({ type: 'monitor-line', line, at })
    },
    onSubscribed: resync,
    onOverrun: resync,
  })

  return {
    ready,
    isReady: () => state.ready,
    discovery: () => discoveryOf(state, clock.now()),
    discoveryLine() {
      const at = clock.now()
      let encoded = encodedInterfaces
      const fresh = encoded === undefined || encoded.reported !== state.reported
      if (encoded === undefined || fresh) encoded = encodedInterfaces = { reported: state.reported, json: JSON.stringify(interfacesOf(state, at)) }
      const line = encodeDiscoveryLine(encoded.json, formatTimestamp(at))
      // Its length changes only with the interfaces (the timestamp has a fixed width): check once per encoding.
      if (fresh) warnAboutSize(Buffer.byteLength(line) - 1)
      return line
    },
    interfaces: () => interfacesOf(state, clock.now()),
    status() {
      const monitorStats = monitor.stats()
      const snapshotCounters = snapshots.counters()
      return {
        version,
        uptime_seconds: Math.round((clock.now() - startedAt) / 1000),
        ready: state.ready,
        monitor: {
          pid: monitorStats.pid,
          restarts: monitorStats.restarts,
          overruns: monitorStats.overruns,
          last_record_time: isoOrNull(monitorStats.lastRecordAt),
        },
        snapshots_taken: snapshotCounters.taken,
        snapshots_failed: snapshotCounters.failed,
        last_snapshot_time: isoOrNull(snapshotCounters.lastAt),
        resyncs: counters.resyncs,
        pending_interfaces: pendingCount(state),
        events_emitted: counters.events,
      }
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    resync,
    async stop() {
      stopped = true
      cancelTick?.()
      snapshots.stop()
      await monitor.stop()
    },
  }
}
