import { withNamespace } from '../../test/helpers/netns.js'
import { diffViews, foldEvents, kernelView } from '../../test/helpers/oracle.js'
import { cpuTimes, memory } from '../../test/helpers/proc-stats.js'
import { sleep, waitUntil } from '../../test/helpers/wait.js'
import { changesOf, statusOf } from '../lib/arrivals.js'
import { withDaemon } from '../lib/daemon.js'
import { progress, type BenchOptions } from '../lib/options.js'
import { ms, type Goal, type ScenarioResult } from '../lib/report.js'
import { run } from '../lib/run.js'
import { now, round } from '../lib/stats.js'

const DEBOUNCE_MS = 3000
const MAX_WAIT_MS = 10_000

/**
 * `total` operations spread round-robin over `interfaces` links (eth1..ethN, each holding
 * 10.<i>.0.1/16): per link a cycle of address add, host route add, default route replace
 * (changes the reported gateway), route del, address del. Cut off mid-cycle, so the final
 * state holds leftovers and a gateway on every link: not equal to the initial one.
 */
export const stormOps = (total: number, interfaces: number): string[] => {
  const ops: string[] = []
  const done = new Array<number>(interfaces).fill(0)
  for (let k = 0; k < total; k += 1) {
    const i = k % interfaces
    const c = done[i] ?? 0
    done[i] = c + 1
    const j = Math.floor(c / 5)
    const dev = `eth${i + 1}`
    const address = `10.${i + 1}.${1 + Math.floor(j / 250)}.${1 + (j % 250)}/16`
    const route = `100.${64 + (i % 64)}.${Math.floor(j / 250) % 256}.${j % 250}/32`
    switch (c % 5) {
      case 0:
        ops.push(`addr add ${address} dev ${dev}`)
        break
      case 1:
        ops.push(`route add ${route} via 10.${i + 1}.0.254 dev ${dev}`)
        break
      case 2:
        ops.push(`route replace default via 10.${i + 1}.0.${250 + (j % 3)} dev ${dev} metric ${100 + i}`)
        break
      case 3:
        ops.push(`route del ${route} via 10.${i + 1}.0.254 dev ${dev}`)
        break
      default:
        ops.push(`addr del ${address} dev ${dev}`)
    }
  }
  return ops
}

export interface StormFigures {
  ops: number
  interfaces: number
  batch_wall_ms: number
  op_errors: number
  cpu_s: number
  cpu_children_s: number
  /** The `ip monitor` child's own CPU; null when it was restarted meanwhile. */
  cpu_monitor_s: number | null
  cpu_s_per_1000_ops: number
  events: number
  snapshots: number
  overruns: number
  resyncs: number
  last_op_to_last_event_ms: number | null
  settled: boolean
  rss_after_mb: number | null
  peak_rss_mb: number | null
  final_state_equal: boolean
  differences: string[]
}

const runStorm = (size: number, interfaces: number): Promise<StormFigures> =>
  withNamespace('storm', async (ns) => {
    const names = Array.from({ length: interfaces }, (_, i) => `eth${i + 1}`)
    await ns.addVeths(names, names.map((name, i) => `addr add 10.${i + 1}.0.1/16 dev ${name}`))
    return withDaemon(ns, [], async (daemon) => {
      const client = await daemon.connect()
      await sleep(500)
      const before = await statusOf(client)
      const cpuBefore = cpuTimes(daemon.pid)
      const monitorBefore = before.monitorPid === null ? undefined : cpuTimes(before.monitorPid)
      const from = client.lines.lines.length
      const batch = await run('ip', ['-n', ns.name, '-force', '-batch', '-'], { input: `${stormOps(size, interfaces).join('\n')}\n`, allowFail: true })
      const lastOpAt = batch.exitedAt
      const giveUp = lastOpAt + MAX_WAIT_MS + DEBOUNCE_MS + 20_000
      let after = before
      const isSettled = async (): Promise<boolean> => {
        after = await statusOf(client)
        const lastEventAt = changesOf(client, from).at(-1)?.at ?? lastOpAt
        return after.pendingInterfaces === 0 && now() - lastOpAt > DEBOUNCE_MS + 500 && now() - lastEventAt > 1000
      }
      await sleep(250)
      const settled = await waitUntil(isSettled, giveUp - now(), 250)
      const cpuAfter = cpuTimes(daemon.pid)
      const monitorAfter = after.monitorPid === null ? undefined : cpuTimes(after.monitorPid)
      const mem = memory(daemon.pid)
      const changes = changesOf(client, from)
      const differences = diffViews(foldEvents(client.lines.lines), await kernelView(ns))
      const cpu = round((cpuAfter?.self ?? 0) - (cpuBefore?.self ?? 0)) ?? 0
      const lastEvent = changes.at(-1)
      client.close()
      return {
        ops: size,
        interfaces,
        batch_wall_ms: round(batch.exitedAt - batch.startedAt, 0) ?? 0,
        op_errors: batch.stderr.split('\n').filter((line) => line.trim() !== '').length,
        cpu_s: cpu,
        cpu_children_s: round((cpuAfter?.children ?? 0) - (cpuBefore?.children ?? 0)) ?? 0,
        cpu_monitor_s: after.monitorPid === before.monitorPid ? round((monitorAfter?.self ?? 0) - (monitorBefore?.self ?? 0)) : null,
        cpu_s_per_1000_ops: round((cpu / size) * 1000, 3) ?? 0,
        events: changes.length,
        snapshots: after.snapshotsTaken - before.snapshotsTaken,
        overruns: after.overruns - before.overruns,
        resyncs: after.resyncs - before.resyncs,
        last_op_to_last_event_ms: lastEvent === undefined ? null : round(lastEvent.at - lastOpAt, 0),
        settled,
        rss_after_mb: round(mem?.rssMb ?? null, 1),
        peak_rss_mb: round(mem?.peakRssMb ?? null, 1),
        final_state_equal: differences.length === 0,
        differences: differences.slice(0, 5),
      }
    })
  })

export const stormScenario = async (options: BenchOptions): Promise<ScenarioResult> => {
  const results: StormFigures[] = []
  for (const size of options.stormSizes) {
    progress(`storm: ${size} operations over ${options.stormInterfaces} interfaces`)
    results.push(await runStorm(size, options.stormInterfaces))
  }
  const biggest = results.at(-1)
  const goals: Goal[] =
    biggest === undefined
      ? []
      : [
          { goal: `${biggest.ops}-op storm < 2 CPU s`, value: `${biggest.cpu_s} s`, met: biggest.cpu_s < 2 },
          {
            goal: `settled within debounce + 500 ms (${DEBOUNCE_MS + 500} ms) of the last op`,
            value: `${ms(biggest.last_op_to_last_event_ms, 0)} ms`,
            met: biggest.last_op_to_last_event_ms === null ? null : biggest.settled && biggest.last_op_to_last_event_ms <= DEBOUNCE_MS + 500,
          },
          { goal: 'final state equals the kernel\'s', value: biggest.final_state_equal ? 'equal' : 'DIFFERS', met: biggest.final_state_equal },
        ]
  return {
    name: 'storm',
    title: `2. Storm: address and route operations via \`ip -batch\`, default debounce (${DEBOUNCE_MS} ms)`,
    figures: { debounce_ms: DEBOUNCE_MS, sizes: results },
    tables: [
      {
        title: 'per storm size',
        headers: ['ops', 'batch ms', 'CPU s', 'CPU s/1k ops', 'ip snapshots CPU s', 'ip monitor CPU s', 'events', 'snapshots', 'overruns', 'last op->last event ms', 'RSS after MB', 'peak RSS MB', 'final = kernel'],
        rows: results.map((r) => [
          r.ops,
          r.batch_wall_ms,
          r.cpu_s,
          r.cpu_s_per_1000_ops,
          r.cpu_children_s,
          r.cpu_monitor_s,
          r.events,
          r.snapshots,
          r.overruns,
          r.last_op_to_last_event_ms,
          r.rss_after_mb,
          r.peak_rss_mb,
          r.final_state_equal ? 'yes' : `NO (${r.differences.length})`,
        ]),
      },
    ],
    goals,
    notes: [
      'CPU s is the daemon\'s utime+stime (/proc/<pid>/stat, 10 ms ticks); "ip children" is cutime+cstime: the `ip -json` snapshot commands it ran and reaped. The `ip monitor` child is a separate process, read from /proc/<monitor pid>/stat.',
      ...results.filter((r) => !r.final_state_equal).map((r) => `${r.ops} ops: ${r.differences.join('; ')}`),
      ...results.filter((r) => !r.settled).map((r) => `${r.ops} ops: did not settle (pending interfaces) before the give-up time`),
    ],
  }
}
