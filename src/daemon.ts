import type { Input } from './core/inputs.js'
import { checkLineLimit } from './core/line-limit.js'
import { encodeDiscoveryLine, formatTimestamp, type InterfaceReport, type NetworkChange, type NetworkDiscovery } from './core/protocol.js'
import { nextDeadline } from './core/reduce.js'
import { discoveryOf, interfacesOf, isReady } from './core/report.js'
import { unreachable } from './core/result.js'
import type { CoreOptions, State } from './core/state.js'
import { statusOf } from './core/status.js'
import { createCoreStore } from './core/store.js'
import type { DaemonStatus } from './schema/protocol.js'
import { systemClock, type Clock } from './adapters/clock.js'
import type { Launcher } from './adapters/die-with-parent.js'
import { createSnapshotReader, type SnapshotReader } from './adapters/ip-snapshot.js'
import { neverRunStats, startMonitor, type Monitor, type MonitorCallbacks } from './adapters/ip-monitor.js'
import type { Logger } from './adapters/logger.js'
import { readProcNetlink } from './adapters/netlink-subscription.js'

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

/** The first retry of a failed snapshot waits this long; each next one twice as long, up to maxBackoffMs. */
const SNAPSHOT_RETRY_INITIAL_MS = 100

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
  onInput?(input: Input): void
}

export interface Daemon {
  /** Starts `ip monitor`; its subscription brings the first snapshot. Once; not after `stop`. */
  start(): void
  /** Resolves when the first snapshot has set the initial report. */
  ready: Promise<void>
  isReady(): boolean
  discovery(): NetworkDiscovery
  /** The discovery as one encoded line, cheap to call for every client that connects. */
  discoveryLine(): string
  interfaces(): InterfaceReport[]
  /** What `get_status` replies; the socket server knows how many clients are connected. */
  status(clientsConnected?: number): DaemonStatus
  subscribe(listener: DaemonListener): () => void
  /** Reads the truth again (as after a lost record): what differs from the report is reported after the debounce. */
  resync(reason: string): void
  stop(): Promise<void>
}

/** The real `ip` children; `launcher` is how `ip monitor` is started (`findLauncher`). */
export const realDaemonDeps = (options: DaemonOptions, launcher: Launcher, logger: Logger, clock: Clock = systemClock): DaemonDeps => ({
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
        launcher,
      },
      callbacks,
    ),
})

/**
 * Wires the core store to its adapters: monitor lines, snapshots (and their failures),
 * resyncs and timer ticks go in through one `dispatch`; its effects are carried out (a
 * snapshot read, a log line) and one timer is kept for its next deadline; its events go to
 * listeners. Nothing runs until `start`: the composition root serves the socket in between,
 * so clients can connect while the monitor's child is being spawned. Owns shutdown of what
 * it started.
 */
export const createDaemon = (
  options: DaemonOptions,
  deps: DaemonDeps,
  version = '0.0.0',
  /** Heard from the first input on: the monitor may report its subscription before `subscribe` could be called. */
  initialListeners: readonly DaemonListener[] = [],
): Daemon => {
  const { clock, logger } = deps
  const startedAt = clock.now()
  const listeners = new Set<DaemonListener>(initialListeners)
  const store = createCoreStore(options.core, { initialMs: SNAPSHOT_RETRY_INITIAL_MS, maxMs: options.maxBackoffMs })
  let stopped = false
  let cancelTick: (() => void) | undefined
  let tickAt: number | undefined
  let encodedInterfaces: { report: State['report']; json: string; count: number } | undefined
  let discoveryOverLimit = false
  // Assigned at once: a promise runs its executor before the constructor returns.
  let markReady!: () => void
  const ready = new Promise<void>((resolve) => (markReady = resolve))

  /** One warning when the discovery line passes asyncio's default 64 KiB line limit (docs/migrating.md). */
  const warnAboutSize = (bytes: number, interfaces: number): void => {
    const check = checkLineLimit(discoveryOverLimit, bytes)
    discoveryOverLimit = check.over
    if (check.warning !== undefined) logger.warn(check.warning, { bytes, interfaces })
  }

  store.onInput((input) => {
    for (const listener of listeners) listener.onInput?.(input)
  })

  const scheduleTick = (): void => {
    const deadline = nextDeadline(store.getState())
    if (deadline === tickAt) return
    cancelTick?.()
    cancelTick = undefined
    tickAt = deadline
    if (deadline === undefined || stopped) return
    cancelTick = clock.at(deadline, () => {
      tickAt = undefined
      cancelTick = undefined
      dispatch({ type: 'tick', at: clock.now() })
    })
  }

  const takeSnapshot = (): void => {
    deps.readSnapshot().then(
      (raw) => dispatch({ type: 'snapshot', at: clock.now(), ...raw }),
      (error: unknown) => dispatch({ type: 'snapshot-failed', at: clock.now(), error: error instanceof Error ? error.message : String(error) }),
    )
  }

  const dispatch = (input: Input): void => {
    if (stopped) return
    const { events, effects } = store.dispatch(input)
    for (const event of events) {
      if (event.type === 'network_discovery') {
        logger.info('ready', { interfaces: event.data.interfaces.length })
        for (const listener of listeners) listener.onReady?.(event)
        markReady()
      } else {
        logger.info('network_change', { interface: event.data.interface, status: event.data.status ?? null })
        for (const listener of listeners) listener.onChange?.(event)
      }
    }
    for (const effect of effects) {
      switch (effect.type) {
        case 'take-snapshot':
          takeSnapshot()
          break
        case 'log':
          logger[effect.level](effect.message, effect.fields)
          break
        /* c8 ignore next 2 -- the compiler proves every effect type is handled above */
        default:
          unreachable(effect)
      }
    }
    scheduleTick()
  }

  const resync = (reason: string): void => dispatch({ type: 'resync', at: clock.now(), reason })

  let monitor: Monitor | undefined

  return {
    start() {
      if (stopped || monitor !== undefined) return
      monitor = deps.startMonitor({
        onLine: (line) => dispatch({ type: 'monitor-line', at: clock.now(), line }),
        onSubscribed: resync,
        onOverrun: resync,
      })
    },
    ready,
    isReady: () => isReady(store.getState()),
    discovery: () => discoveryOf(store.getState(), clock.now()),
    discoveryLine() {
      const state = store.getState()
      const at = clock.now()
      // The report is a new map only when it changed, so the encoded interfaces are reused until then.
      const fresh = encodedInterfaces?.report !== state.report
      if (fresh || encodedInterfaces === undefined) {
        const interfaces = interfacesOf(state, at)
        encodedInterfaces = { report: state.report, json: JSON.stringify(interfaces), count: interfaces.length }
      }
      const line = encodeDiscoveryLine(encodedInterfaces.json, formatTimestamp(at))
      // Its length changes only with the interfaces (the timestamp has a fixed width): check once per encoding.
      if (fresh) warnAboutSize(Buffer.byteLength(line) - 1, encodedInterfaces.count)
      return line
    },
    interfaces: () => interfacesOf(store.getState(), clock.now()),
    status: (clientsConnected = 0) =>
      statusOf({ version, startedAt, now: clock.now(), state: store.getState(), monitor: monitor?.stats() ?? neverRunStats(), clientsConnected }),
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    resync,
    async stop() {
      stopped = true
      cancelTick?.()
      await monitor?.stop()
    },
  }
}
