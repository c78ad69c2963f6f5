import { spawn } from 'node:child_process'
import { collectLines } from '../../test/helpers/lines.js'
import { withNamespace, type Namespace } from '../../test/helpers/netns.js'
import type { SocketClient } from '../../test/helpers/socket-client.js'
import { sleep } from '../../test/helpers/wait.js'
import { arrival, clientArrival } from '../lib/arrivals.js'
import { trackPid, untrackPid } from '../lib/cleanup.js'
import { withDaemon } from '../lib/daemon.js'
import { progress, type BenchOptions } from '../lib/options.js'
import { ms, type ScenarioResult } from '../lib/report.js'
import { timedIp } from '../lib/run.js'
import { now, percentile, round, summarize, type Summary } from '../lib/stats.js'

const DEFAULT_DEBOUNCE_MS = 3000
const IFNAME = 'ens37'

/** The nth address of a series; each series uses its own third octet. */
const addressOf = (series: number, n: number): string => `10.10.${series}.${n + 1}`

const removeSeries = async (ns: Namespace, series: number, count: number): Promise<void> => {
  const lines = Array.from({ length: count }, (_, n) => `addr del ${addressOf(series, n)}/16 dev ${IFNAME}`)
  await ns.batch(lines)
}

/** Adds `count` addresses one by one; `observe` resolves when the change was seen (or undefined). */
const series = async (
  ns: Namespace,
  seriesNo: number,
  count: number,
  observe: (address: string) => Promise<number | undefined>,
  quietMs: number,
): Promise<{ samples: number[]; missed: number }> => {
  const samples: number[] = []
  let missed = 0
  for (let n = 0; n < count; n += 1) {
    const address = addressOf(seriesNo, n)
    const seen = observe(address)
    const added = await timedIp(ns, 'addr', 'add', `${address}/16`, 'dev', IFNAME)
    const at = await seen
    if (at === undefined) missed += 1
    else samples.push(at - added.exitedAt)
    await sleep(quietMs)
  }
  await removeSeries(ns, seriesNo, count)
  return { samples, missed }
}

/** Floor 1: a bare `ip monitor` child; time from `ip addr add` returning to the record line. */
const monitorFloor = async (ns: Namespace, count: number): Promise<{ samples: number[]; missed: number }> => {
  const child = spawn('ip', ['-n', ns.name, 'monitor', 'label', 'address', 'route', 'link'], { stdio: ['ignore', 'pipe', 'ignore'] })
  if (child.pid !== undefined) trackPid(child.pid)
  const lines = collectLines(child.stdout)
  const observe = async (address: string): Promise<number | undefined> =>
    (await arrival(lines, (line) => line.startsWith('[ADDR]') && line.includes(` ${address}/`), 5000, lines.lines.length))?.at
  try {
    // Subscribed once it prints a record: warm up with one change.
    await series(ns, 200, 1, observe, 20)
    return await series(ns, 1, count, observe, 20)
  } finally {
    child.kill('SIGKILL')
    if (child.pid !== undefined) untrackPid(child.pid)
  }
}

/** Floor 2: one snapshot as netmon takes it: `ip -json addr` and `ip -4 -json route`, in parallel. */
export const snapshotTimes = async (ns: Namespace, count: number): Promise<number[]> => {
  const samples: number[] = []
  for (let n = 0; n < count; n += 1) {
    const start = now()
    await Promise.all([timedIp(ns, '-json', 'addr', 'show'), timedIp(ns, '-4', '-json', 'route', 'show', 'table', 'main')])
    samples.push(now() - start)
  }
  return samples
}

const observeChange = (client: SocketClient, timeoutMs: number) => async (address: string): Promise<number | undefined> =>
  (await clientArrival(client, (line) => line.startsWith('{"type":"network_change"') && line.includes(`"address":"${address}"`), timeoutMs, client.lines.lines.length))?.at

const row = (label: string, summary: Summary, missed: number): (string | number | null)[] => [
  label,
  summary.count,
  missed,
  ms(summary.p50),
  ms(summary.p99),
  ms(summary.max),
]

export const latencyScenario = (options: BenchOptions): Promise<ScenarioResult> =>
  withNamespace('lat', async (ns) => {
    await ns.addVeths([IFNAME], [`addr add 10.10.0.1/16 dev ${IFNAME}`])
    progress(`latency: floor (bare ip monitor, snapshot), ${options.latencyChanges} changes`)
    const floorMonitor = await monitorFloor(ns, options.latencyChanges)
    const floorSnapshot = await snapshotTimes(ns, options.latencyChanges)

    progress(`latency: netmon --debounce 0, ${options.latencyChanges} changes`)
    const immediate = await withDaemon(ns, ['--debounce', '0'], async (daemon) => {
      const client = await daemon.connect()
      await series(ns, 201, 2, observeChange(client, 5000), 50) // warm-up: JIT, first snapshot
      return series(ns, 2, options.latencyChanges, observeChange(client, 5000), 50)
    })

    progress(`latency: netmon default debounce (${DEFAULT_DEBOUNCE_MS} ms), ${options.debounceSamples} changes`)
    const debounced = await withDaemon(ns, [], async (daemon) => {
      const client = await daemon.connect()
      return series(ns, 3, options.debounceSamples, observeChange(client, DEFAULT_DEBOUNCE_MS + 5000), 100)
    })

    const monitor = summarize(floorMonitor.samples)
    const snapshot = summarize(floorSnapshot)
    const netmon = summarize(immediate.samples)
    const overDebounce = summarize(debounced.samples.map((sample) => sample - DEFAULT_DEBOUNCE_MS))
    const floorP50 = (percentile(floorMonitor.samples, 50) ?? 0) + (percentile(floorSnapshot, 50) ?? 0)
    const floorP99 = (percentile(floorMonitor.samples, 99) ?? 0) + (percentile(floorSnapshot, 99) ?? 0)
    const added = { p50: round((netmon.p50 ?? 0) - floorP50), p99: round((netmon.p99 ?? 0) - floorP99) }
    const ratio = { p50: round((netmon.p50 ?? 0) / floorP50), p99: round((netmon.p99 ?? 0) / floorP99) }
    return {
      name: 'latency',
      title: `1. Reaction latency: \`ip addr add\` returns -> network_change on a socket client (ms)`,
      figures: {
        floor_monitor_ms: monitor,
        floor_snapshot_ms: snapshot,
        floor_total_ms: { p50: round(floorP50), p99: round(floorP99) },
        netmon_debounce0_ms: netmon,
        netmon_missed: immediate.missed,
        added_ms: added,
        ratio_to_floor: ratio,
        default_debounce_ms: DEFAULT_DEBOUNCE_MS,
        default_debounce_overhead_ms: overDebounce,
        default_debounce_missed: debounced.missed,
      },
      tables: [
        {
          title: 'latency',
          headers: ['series', 'n', 'missed', 'p50', 'p99', 'max'],
          rows: [
            row('floor: bare `ip monitor` prints the record', monitor, floorMonitor.missed),
            row('floor: one snapshot (ip -json addr + route)', snapshot, 0),
            ['floor: monitor + snapshot', null, null, ms(floorP50), ms(floorP99), null],
            row('netmon --debounce 0', netmon, immediate.missed),
            ['netmon added over the floor', null, null, ms(added.p50), ms(added.p99), null],
            ['netmon / floor (ratio)', null, null, ms(ratio.p50, 2), ms(ratio.p99, 2), null],
            row(`netmon default debounce, minus ${DEFAULT_DEBOUNCE_MS} ms`, overDebounce, debounced.missed),
          ],
        },
      ],
      goals: [
        { goal: 'added latency p50 < 10 ms', value: `${ms(added.p50)} ms`, met: added.p50 === null ? null : added.p50 < 10 },
        { goal: 'added latency p99 < 50 ms', value: `${ms(added.p99)} ms`, met: added.p99 === null ? null : added.p99 < 50 },
      ],
      notes: [
        'The floor is measured in the same run on the same namespace. A negative monitor floor means the record reached the monitor before `ip addr add` had exited.',
        'Added latency = netmon percentile minus (monitor floor + snapshot floor) at the same percentile.',
      ],
    }
  })
