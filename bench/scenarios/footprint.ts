import { withNamespace, type Namespace } from '../../test/helpers/netns.js'
import { cpuTimes, memory, threadSwitches } from '../../test/helpers/proc-stats.js'
import { sleep } from '../../test/helpers/wait.js'
import { statusOf } from '../lib/arrivals.js'
import { startDaemon, withDaemon } from '../lib/daemon.js'
import { progress, type BenchOptions } from '../lib/options.js'
import { ms, type ScenarioResult } from '../lib/report.js'
import { run } from '../lib/run.js'
import { now, percentile, round } from '../lib/stats.js'

const INTERFACES = 4
const STARTS = 5
/**
 * V8 runs its memory reducer (GCs on a timer) for ~15-20 s after start-up activity (seen with strace: a burst of GC syscalls at ~17 s, then none at all); measured
 * with strace, it is not netmon's. The idle window starts after it (3 s in --quick).
 */
const SETTLE_MS = 25_000

/** One cold start: spawn -> "listening" on stderr -> first client has its discovery. */
const coldStart = async (ns: Namespace): Promise<{ ready: number; discovery: number }> => {
  const daemon = startDaemon(ns, [])
  try {
    const listeningAt = await daemon.listening
    const client = await daemon.connect()
    const discoveryAt = client.lines.arrivals[0] ?? now()
    client.close()
    return { ready: listeningAt - daemon.spawnedAt, discovery: discoveryAt - daemon.spawnedAt }
  } finally {
    await daemon.stop()
  }
}

/** The part of start-up that is not ours: `ip netns exec` + a bare node. */
const bareNodeStart = async (ns: Namespace): Promise<number> => {
  const result = await run('ip', ['netns', 'exec', ns.name, process.execPath, '-e', '0'])
  return result.exitedAt - result.startedAt
}

export const footprintScenario = (options: BenchOptions, afterStorm?: { ops: number; rssMb: number | null; peakMb: number | null }): Promise<ScenarioResult> =>
  withNamespace('foot', async (ns) => {
    const names = Array.from({ length: INTERFACES }, (_, i) => `eth${i + 1}`)
    await ns.addVeths(names, names.flatMap((name, i) => [`addr add 10.${i + 1}.0.1/16 dev ${name}`, `route add default via 10.${i + 1}.0.254 dev ${name} metric ${100 + i}`]))
    progress(`footprint: ${STARTS} cold starts`)
    const bare: number[] = []
    const ready: number[] = []
    const discovery: number[] = []
    for (let n = 0; n < STARTS; n += 1) {
      bare.push(await bareNodeStart(ns))
      const start = await coldStart(ns)
      ready.push(start.ready)
      discovery.push(start.discovery)
    }
    progress(`footprint: ${options.idleSeconds} s idle with one client connected`)
    const idle = await withDaemon(ns, [], async (daemon) => {
      const client = await daemon.connect()
      const status = await statusOf(client)
      await sleep(options.quick ? 3000 : SETTLE_MS)
      const memoryIdle = memory(daemon.pid)
      const cpu0 = cpuTimes(daemon.pid)
      const wake0 = threadSwitches(daemon.pid)
      const monitorCpu0 = status.monitorPid === null ? undefined : cpuTimes(status.monitorPid)
      const monitorWake0 = status.monitorPid === null ? undefined : threadSwitches(status.monitorPid)
      await sleep(options.idleSeconds * 1000)
      const cpu1 = cpuTimes(daemon.pid)
      const wake1 = threadSwitches(daemon.pid)
      const monitorCpu1 = status.monitorPid === null ? undefined : cpuTimes(status.monitorPid)
      const monitorWake1 = status.monitorPid === null ? undefined : threadSwitches(status.monitorPid)
      client.close()
      const delta = (a: number | undefined, b: number | undefined): number | null => (a === undefined || b === undefined ? null : round(b - a, 3))
      return {
        rss_mb: round(memoryIdle?.rssMb ?? null, 1),
        threads: wake1?.threads ?? null,
        cpu_s: delta(cpu0?.self, cpu1?.self),
        voluntary_switches: delta(wake0?.voluntary, wake1?.voluntary),
        involuntary_switches: delta(wake0?.involuntary, wake1?.involuntary),
        monitor_cpu_s: delta(monitorCpu0?.self, monitorCpu1?.self),
        monitor_voluntary_switches: delta(monitorWake0?.voluntary, monitorWake1?.voluntary),
      }
    })
    const p50 = (values: number[]): number | null => round(percentile(values, 50), 1)
    const figures = {
      interfaces: INTERFACES,
      starts: STARTS,
      bare_node_start_ms: p50(bare),
      start_to_ready_ms: p50(ready),
      start_to_ready_max_ms: round(percentile(ready, 100), 1),
      start_to_discovery_ms: p50(discovery),
      idle_seconds: options.idleSeconds,
      idle: idle,
      after_storm: afterStorm ?? null,
    }
    const goodIdle = idle.cpu_s !== null && idle.cpu_s === 0 && idle.voluntary_switches !== null && idle.voluntary_switches === 0
    return {
      name: 'footprint',
      title: `5. Footprint (${INTERFACES} interfaces; medians of ${STARTS} cold starts)`,
      figures,
      tables: [
        {
          title: 'start-up (ms from spawning `ip netns exec ... node bin/netmon.js`)',
          headers: ['what', 'ms'],
          rows: [
            ['floor: `ip netns exec` + bare `node -e 0` to exit', ms(figures.bare_node_start_ms)],
            ['start -> socket listening', ms(figures.start_to_ready_ms)],
            ['start -> first client has its discovery', ms(figures.start_to_discovery_ms)],
          ],
        },
        {
          title: `idle (${options.idleSeconds} s, one client connected, starting ${options.quick ? 3 : SETTLE_MS / 1000} s after ready)`,
          headers: ['what', 'daemon', 'ip monitor child'],
          rows: [
            ['RSS MB', idle.rss_mb, null],
            ['CPU s', idle.cpu_s, idle.monitor_cpu_s],
            ['voluntary context switches (all threads)', idle.voluntary_switches, idle.monitor_voluntary_switches],
            ['involuntary context switches', idle.involuntary_switches, null],
            ['threads', idle.threads, null],
            ...(afterStorm === undefined ? [] : [[`RSS MB after the ${afterStorm.ops}-op storm (peak)`, `${afterStorm.rssMb ?? '-'} (${afterStorm.peakMb ?? '-'})`, null]]),
          ],
        },
      ],
      goals: [
        { goal: 'start to ready < 300 ms', value: `${ms(figures.start_to_ready_ms)} ms`, met: figures.start_to_ready_ms === null ? null : figures.start_to_ready_ms < 300 },
        { goal: 'idle RSS < 60 MB', value: `${idle.rss_mb ?? '-'} MB`, met: idle.rss_mb === null ? null : idle.rss_mb < 60 },
        {
          goal: 'no CPU or wakeups at idle',
          value: `${idle.cpu_s ?? '-'} CPU s, ${idle.voluntary_switches ?? '-'} wakeups in ${options.idleSeconds} s`,
          met: idle.cpu_s === null ? null : goodIdle,
        },
      ],
      notes: ['CPU comes in 10 ms ticks: 0 means under one tick over the whole window.'],
    }
  })
