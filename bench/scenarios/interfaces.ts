import { withNamespace } from '../../test/helpers/netns.js'
import { cpuTimes, memory } from '../../test/helpers/proc-stats.js'
import { connectWhenFree } from '../../test/helpers/socket-client.js'
import { sleep } from '../../test/helpers/wait.js'
import { discoveryOf } from '../lib/arrivals.js'
import { timedAddressChanges } from '../lib/changes.js'
import { withDaemon } from '../lib/daemon.js'
import { progress, type BenchOptions } from '../lib/options.js'
import { ms, type ScenarioResult } from '../lib/report.js'
import { now, percentile, round, summarize } from '../lib/stats.js'
import { snapshotTimes } from './latency.js'

const FRESH_CONNECTIONS = 10
const CHANGES = 5

interface InterfacesFigures {
  interfaces: number
  reported: number
  discovery_bytes: number
  start_to_discovery_ms: number
  fresh_discovery_ms: number | null
  ip_snapshot_ms: number | null
  change_latency_ms: number | null
  cpu_ms_per_change: number | null
  rss_mb: number | null
}

/** Link i: eth<i>, 10.<1+i/200>.<i%200>.1/24, a default route through it with its own metric. */
const linkLines = (count: number): { names: string[]; lines: string[] } => {
  const names = Array.from({ length: count }, (_, i) => `eth${i}`)
  const lines = names.flatMap((name, i) => {
    const net = `10.${1 + Math.floor(i / 200)}.${i % 200}`
    return [`addr add ${net}.1/24 dev ${name}`, `route add default via ${net}.254 dev ${name} metric ${100 + i}`]
  })
  return { names, lines }
}

const measure = (count: number): Promise<InterfacesFigures> =>
  withNamespace('ifs', async (ns) => {
    const { names, lines } = linkLines(count)
    await ns.addVeths(names, lines)
    return withDaemon(ns, ['--debounce', '0'], async (daemon) => {
      const first = await daemon.connect(60_000)
      const discoveryLine = first.lines.lines[0] ?? ''
      const startToDiscovery = (first.lines.arrivals[0] ?? now()) - daemon.spawnedAt
      const reported = (JSON.parse(discoveryLine) as { data: { interfaces: unknown[] } }).data.interfaces.length
      await sleep(300)
      const fresh: number[] = []
      for (let n = 0; n < FRESH_CONNECTIONS; n += 1) {
        const start = now()
        const client = await connectWhenFree(daemon.socketPath)
        const hit = await discoveryOf(client, 10_000)
        if (hit !== undefined) fresh.push(hit.at - start)
        client.close()
      }
      const snapshots = await snapshotTimes(ns, 5)
      const cpu0 = cpuTimes(daemon.pid)
      const addresses = Array.from({ length: CHANGES }, (_, n) => `10.250.0.${n + 1}`)
      const latencies = await timedAddressChanges(ns, first, { dev: 'eth0', addresses, timeoutMs: 10_000, quietMs: 100 })
      const cpu1 = cpuTimes(daemon.pid)
      const mem = memory(daemon.pid)
      first.close()
      return {
        interfaces: count,
        reported,
        discovery_bytes: Buffer.byteLength(discoveryLine) + 1,
        start_to_discovery_ms: round(startToDiscovery, 1) ?? 0,
        fresh_discovery_ms: round(percentile(fresh, 50)),
        ip_snapshot_ms: summarize(snapshots).p50,
        change_latency_ms: summarize(latencies).p50,
        cpu_ms_per_change: cpu0 === undefined || cpu1 === undefined ? null : round(((cpu1.self - cpu0.self) * 1000) / CHANGES, 0),
        rss_mb: round(mem?.rssMb ?? null, 1),
      }
    })
  })

export const interfacesScenario = async (options: BenchOptions): Promise<ScenarioResult> => {
  const results: InterfacesFigures[] = []
  for (const count of options.interfaceSizes) {
    progress(`interfaces: ${count} veth pairs`)
    results.push(await measure(count))
  }
  return {
    name: 'interfaces',
    title: '6. Many interfaces (each veth pair adds an unreported peer: the snapshot holds 2 x N links)',
    figures: { sizes: results },
    tables: [
      {
        title: 'per interface count (ms; p50)',
        headers: ['interfaces', 'reported', 'discovery bytes', 'start->discovery', 'discovery on a fresh connection', 'ip snapshot', 'change latency (debounce 0)', 'daemon CPU ms/change', 'RSS MB'],
        rows: results.map((r) => [r.interfaces, r.reported, r.discovery_bytes, ms(r.start_to_discovery_ms), ms(r.fresh_discovery_ms), ms(r.ip_snapshot_ms), ms(r.change_latency_ms), r.cpu_ms_per_change, r.rss_mb]),
      },
    ],
    goals: [],
    notes: [
      '"discovery on a fresh connection" is the time to build and send the discovery: connect() to its last byte read.',
      '"change latency" is one address change read back by a full snapshot: monitor record + snapshot of every link + diff + send.',
    ],
  }
}
