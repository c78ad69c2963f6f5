import { withNamespace, type Namespace } from '../../test/helpers/netns.js'
import { cpuTimes, memory } from '../../test/helpers/proc-stats.js'
import { sleep } from '../../test/helpers/wait.js'
import { timedAddressChanges } from '../lib/changes.js'
import { withDaemon } from '../lib/daemon.js'
import { progress, type BenchOptions } from '../lib/options.js'
import { ms, type ScenarioResult } from '../lib/report.js'
import { timedIp } from '../lib/run.js'
import { now, percentile, round } from '../lib/stats.js'

const CHANGES = 5
/** How long a change may take to reach the client before it counts as lost. */
const CHANGE_TIMEOUT_MS = 15_000
/** How long the daemon may take to send its discovery with the routes in place. */
const READY_TIMEOUT_MS = 60_000
/** Routes per `ip -batch` process: bounds the bench's own memory for the input text. */
const ROUTES_PER_BATCH = 200_000

interface RoutesFigures {
  routes: number
  add_routes_s: number
  floor_addr_ms: number | null
  floor_full_route_dump_ms: number | null
  floor_default_only_ms: number | null
  start_to_discovery_ms: number | null
  ready: boolean
  changes_seen: number
  change_latency_p50_ms: number | null
  change_latency_max_ms: number | null
  cpu_ms_per_change: number | null
  ip_children_cpu_ms_per_change: number | null
  rss_mb: number | null
  peak_rss_mb: number | null
  snapshot_errors: string[]
}

/** Route i: 100.64.0.0/10 + i as a /32 through rt0 (4M fit; none is a default route). */
const routeLine = (i: number): string => `route add 100.${64 + (i >>> 16)}.${(i >>> 8) & 255}.${i & 255}/32 dev rt0`

const addRoutes = async (ns: Namespace, count: number): Promise<void> => {
  for (let first = 0; first < count; first += ROUTES_PER_BATCH) {
    const lines = Array.from({ length: Math.min(ROUTES_PER_BATCH, count - first) }, (_, n) => routeLine(first + n))
    await ns.batch(lines)
  }
}

/** Median wall time of `samples` runs of `ip -n <ns> ...args` (output read through a pipe, as netmon reads it). */
const timeIp = async (ns: Namespace, args: string[], samples: number): Promise<number | null> => {
  const times: number[] = []
  for (let n = 0; n < samples; n += 1) {
    const result = await timedIp(ns, ...args)
    times.push(result.exitedAt - result.startedAt)
  }
  return round(percentile(times, 50), 1)
}

const measure = (count: number): Promise<RoutesFigures> =>
  withNamespace('routes', async (ns) => {
    await ns.addVeths(['eth1', 'rt0'], ['addr add 10.1.0.1/16 dev eth1', 'route add default via 10.1.0.254 dev eth1 metric 100'])
    progress(`routes: adding ${count} routes`)
    const addStart = now()
    await addRoutes(ns, count)
    const addSeconds = (now() - addStart) / 1000
    const samples = count >= 1_000_000 ? 1 : 3
    const floorAddr = await timeIp(ns, ['-json', 'addr', 'show'], 5)
    const floorFull = await timeIp(ns, ['-4', '-json', 'route', 'show', 'table', 'main'], samples)
    const floorDefault = await timeIp(ns, ['-4', '-json', 'route', 'show', 'table', 'main', 'default'], samples)
    progress(`routes: netmon with ${count} routes`)
    return withDaemon(ns, ['--debounce', '0'], async (daemon) => {
      const base = {
        routes: count,
        add_routes_s: round(addSeconds, 1) ?? 0,
        floor_addr_ms: floorAddr,
        floor_full_route_dump_ms: floorFull,
        floor_default_only_ms: floorDefault,
      }
      const snapshotErrors = (): string[] =>
        [...new Set(daemon.stderrTail().filter((line) => line.includes('snapshot failed')).map((line) => line.replace(/.*"error":"([^"]*)".*/, '$1').slice(0, 160)))].slice(0, 3)
      let client
      try {
        client = await daemon.connect(READY_TIMEOUT_MS)
      } catch {
        const mem = memory(daemon.pid)
        return {
          ...base,
          start_to_discovery_ms: null,
          ready: false,
          changes_seen: 0,
          change_latency_p50_ms: null,
          change_latency_max_ms: null,
          cpu_ms_per_change: null,
          ip_children_cpu_ms_per_change: null,
          rss_mb: round(mem?.rssMb ?? null, 1),
          peak_rss_mb: round(mem?.peakRssMb ?? null, 1),
          snapshot_errors: snapshotErrors(),
        }
      }
      const startToDiscovery = (client.lines.arrivals[0] ?? now()) - daemon.spawnedAt
      await sleep(500)
      const cpu0 = cpuTimes(daemon.pid)
      const addresses = Array.from({ length: CHANGES }, (_, n) => `10.1.200.${n + 1}`)
      const latencies = await timedAddressChanges(ns, client, { dev: 'eth1', addresses, timeoutMs: CHANGE_TIMEOUT_MS, quietMs: 200 })
      const cpu1 = cpuTimes(daemon.pid)
      const mem = memory(daemon.pid)
      client.close()
      const perChange = (a: number | undefined, b: number | undefined): number | null => (a === undefined || b === undefined ? null : round(((b - a) * 1000) / CHANGES, 0))
      return {
        ...base,
        start_to_discovery_ms: round(startToDiscovery, 0),
        ready: true,
        changes_seen: latencies.length,
        change_latency_p50_ms: round(percentile(latencies, 50), 1),
        change_latency_max_ms: round(percentile(latencies, 100), 1),
        cpu_ms_per_change: perChange(cpu0?.self, cpu1?.self),
        ip_children_cpu_ms_per_change: perChange(cpu0?.children, cpu1?.children),
        rss_mb: round(mem?.rssMb ?? null, 1),
        peak_rss_mb: round(mem?.peakRssMb ?? null, 1),
        snapshot_errors: snapshotErrors(),
      }
    })
  })

export const routesScenario = async (options: BenchOptions): Promise<ScenarioResult> => {
  const results: RoutesFigures[] = []
  for (const count of options.routeSizes) results.push(await measure(count))
  return {
    name: 'routes',
    title: `9. Route-table size: one address change on a watched interface with N other routes in the main table (--debounce 0, ${CHANGES} changes)`,
    figures: { changes: CHANGES, sizes: results },
    tables: [
      {
        title: 'ms unless named; latency = `ip addr add` exits -> network_change on the socket',
        headers: ['routes', 'add s', 'floor: ip -json addr', 'floor: full route dump', 'floor: default routes only', 'start->discovery', 'changes seen', 'latency p50', 'latency max', 'daemon CPU ms/change', 'ip children CPU ms/change', 'RSS MB', 'peak RSS MB'],
        rows: results.map((r) => [
          r.routes,
          r.add_routes_s,
          ms(r.floor_addr_ms),
          ms(r.floor_full_route_dump_ms),
          ms(r.floor_default_only_ms),
          r.ready ? ms(r.start_to_discovery_ms, 0) : `not ready in ${READY_TIMEOUT_MS / 1000} s`,
          `${r.changes_seen}/${r.ready ? CHANGES : 0}`,
          ms(r.change_latency_p50_ms),
          ms(r.change_latency_max_ms),
          r.cpu_ms_per_change,
          r.ip_children_cpu_ms_per_change,
          r.rss_mb,
          r.peak_rss_mb,
        ]),
      },
    ],
    goals: [],
    notes: [
      'Routes are /32s through a second link (rt0), added before the daemon starts: none is a default route, none can change what a client is told.',
      '"floor: full route dump" is `ip -4 -json route show table main` (what a full-table snapshot reads); "default routes only" is the same with `default` (prefix length 0 only: `ip` drops the rest); "ip -json addr" is the route-independent half of a snapshot. Each is the median wall time of a bare `ip` in the same namespace.',
      '"ip children CPU" is the snapshot commands the daemon ran and reaped (cutime+cstime).',
      ...results.filter((r) => r.snapshot_errors.length > 0).map((r) => `${r.routes} routes: snapshot errors seen: ${r.snapshot_errors.join(' | ')}`),
    ],
  }
}
