import { spawn } from 'node:child_process'
import { withNamespace, type Namespace } from '../../test/helpers/netns.js'
import { deployedNodeFlags } from '../../test/helpers/node-options.js'
import { cpuTimes, memory } from '../../test/helpers/proc-stats.js'
import type { SocketClient } from '../../test/helpers/socket-client.js'
import { sleep } from '../../test/helpers/wait.js'
import { clientArrival } from '../lib/arrivals.js'
import { trackPid, untrackPid } from '../lib/cleanup.js'
import { HEAP_HOOK_FLAGS, heapOf, NETMON_BIN, withDaemon, type DaemonHandle, type HeapFigures } from '../lib/daemon.js'
import { progress, type BenchOptions } from '../lib/options.js'
import type { ScenarioResult, Table } from '../lib/report.js'
import { now, round } from '../lib/stats.js'

const GOAL_MB = 70
const INTERFACES = ['eth1', 'eth2', 'eth3', 'eth4']
const NAMES_PER_ROUND = 50
const EVENT_TIMEOUT_MS = 30_000
const SAMPLE_MS = 500

type Load = 'changes' | 'names'

interface Variant {
  label: string
  flags: string[]
}

interface LoadFigures {
  load: Load
  variant: string
  node_flags: string
  count: number
  seconds: number
  events: number
  missed_rounds: number
  cpu_s: number | null
  before: { rss_mb: number | null; heap_total_mb: number | null; heap_used_mb: number | null }
  during: { peak_rss_mb: number | null; max_heap_total_mb: number | null; max_young_generation_mb: number | null }
  after: { rss_mb: number | null; heap_total_mb: number | null; heap_used_mb: number | null; live_heap_mb: number | null }
}

const mb = (bytes: number | null | undefined): number | null => (bytes === null || bytes === undefined ? null : round(bytes / 1024 / 1024, 1))

/** Waits until, after line `from`, every interface of `expected` had a change whose line satisfies its predicate. */
const waitForChanges = async (client: SocketClient, from: number, expected: Map<string, (line: string) => boolean>): Promise<boolean> => {
  const pending = new Map(expected)
  const hit = await clientArrival(
    client,
    (line) => {
      if (line.startsWith('{"type":"network_change"')) {
        for (const [name, matches] of pending) if (line.includes(`"interface":"${name}"`) && matches(line)) pending.delete(name)
      }
      return pending.size === 0
    },
    EVENT_TIMEOUT_MS,
    from,
  )
  return hit !== undefined
}

/** `count` address changes: rounds of one new address added to each interface, then removed. */
const changesLoad = async (ns: Namespace, client: SocketClient, count: number): Promise<number> => {
  let missed = 0
  const rounds = Math.ceil(count / (2 * INTERFACES.length))
  for (let r = 0; r < rounds; r += 1) {
    const address = (position: number): string => `10.213.${r % 250}.${position + 1}`
    let from = client.lines.lines.length
    await ns.batch(INTERFACES.map((name, position) => `addr add ${address(position)}/24 dev ${name}`))
    if (!(await waitForChanges(client, from, new Map(INTERFACES.map((name, p) => [name, (line: string) => line.includes(`"${address(p)}"`)]))))) missed += 1
    from = client.lines.lines.length
    await ns.batch(INTERFACES.map((name, position) => `addr del ${address(position)}/24 dev ${name}`))
    if (!(await waitForChanges(client, from, new Map(INTERFACES.map((name, p) => [name, (line: string) => !line.includes(`"${address(p)}"`)]))))) missed += 1
  }
  return missed
}

/** `count` never-reused interface names: rounds of veth pairs made, addressed, reported, deleted. */
const namesLoad = async (ns: Namespace, client: SocketClient, count: number): Promise<number> => {
  let missed = 0
  for (let first = 0; first < count; first += NAMES_PER_ROUND) {
    const ks = Array.from({ length: Math.min(NAMES_PER_ROUND, count - first) }, (_, n) => first + n)
    let from = client.lines.lines.length
    await ns.batch([
      ...ks.map((k) => `link add mp${k} type veth peer name mn${k}`),
      ...ks.flatMap((k) => [`link set mp${k} up`, `link set mn${k} up`, `addr add 10.212.${Math.floor(k / 200) % 250}.${(k % 200) + 1}/24 dev mn${k}`]),
    ])
    if (!(await waitForChanges(client, from, new Map(ks.map((k) => [`mn${k}`, (line: string) => line.includes('"ipv4_addresses":[{')]))))) missed += 1
    from = client.lines.lines.length
    await ns.batch(ks.map((k) => `link del mp${k}`))
    if (!(await waitForChanges(client, from, new Map(ks.map((k) => [`mn${k}`, (line: string) => line.includes('"status":"removed"')]))))) missed += 1
  }
  return missed
}

/** Samples RSS and the hook's heap figures every SAMPLE_MS until stopped; returns the maxima. */
const sampler = (daemon: DaemonHandle): { stop(): Promise<{ heapTotal: number; newSpace: number }> } => {
  let running = true
  const max = { heapTotal: 0, newSpace: 0 }
  const loop = (async () => {
    while (running) {
      const figures = await heapOf(daemon)
      if (figures !== undefined) {
        max.heapTotal = Math.max(max.heapTotal, figures.heapTotal)
        max.newSpace = Math.max(max.newSpace, figures.newSpace ?? 0)
      }
      await sleep(SAMPLE_MS)
    }
  })()
  return {
    async stop() {
      running = false
      await loop
      return max
    },
  }
}

const runLoad = (load: Load, count: number, variant: Variant): Promise<LoadFigures> =>
  withNamespace('mem', async (ns) => {
    await ns.addVeths(INTERFACES, INTERFACES.map((name, i) => `addr add 10.${i + 1}.0.1/16 dev ${name}`))
    return withDaemon(
      ns,
      ['--debounce', '0'],
      async (daemon) => {
        const client = await daemon.connect()
        await sleep(1000)
        const before: HeapFigures | undefined = await heapOf(daemon)
        const cpu0 = cpuTimes(daemon.pid)
        const from = client.lines.lines.length
        const started = now()
        const samples = sampler(daemon)
        const missed = load === 'changes' ? await changesLoad(ns, client, count) : await namesLoad(ns, client, count)
        const seconds = (now() - started) / 1000
        const max = await samples.stop()
        const cpu1 = cpuTimes(daemon.pid)
        const peak = memory(daemon.pid)?.peakRssMb ?? null
        await sleep(2000)
        const after = await heapOf(daemon)
        const rssAfter = memory(daemon.pid)?.rssMb ?? null
        const live = await heapOf(daemon, true)
        const events = client.lines.lines.slice(from).filter((line) => line.startsWith('{"type":"network_change"')).length
        client.close()
        return {
          load,
          variant: variant.label,
          node_flags: variant.flags.join(' '),
          count,
          seconds: round(seconds, 1) ?? 0,
          events,
          missed_rounds: missed,
          cpu_s: cpu0 === undefined || cpu1 === undefined ? null : round(cpu1.self - cpu0.self),
          before: { rss_mb: mb(before?.rss), heap_total_mb: mb(before?.heapTotal), heap_used_mb: mb(before?.heapUsed) },
          during: { peak_rss_mb: round(peak, 1), max_heap_total_mb: mb(max.heapTotal), max_young_generation_mb: mb(max.newSpace) },
          after: { rss_mb: round(rssAfter, 1), heap_total_mb: mb(after?.heapTotal), heap_used_mb: mb(after?.heapUsed), live_heap_mb: live?.afterGc === true ? mb(live.heapUsed) : null },
        }
      },
      [...variant.flags, ...HEAP_HOOK_FLAGS],
    )
  })

/** The floor: RSS of a bare node process that does nothing, in the same namespace, read after 1 s. */
const bareNodeRss = (flags: readonly string[]): Promise<number | null> =>
  withNamespace('memfloor', async (ns) => {
    const child = spawn('ip', ['netns', 'exec', ns.name, process.execPath, ...flags, '-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' })
    if (child.pid === undefined) return null
    const pid = child.pid
    trackPid(pid)
    try {
      await sleep(1000)
      return round(memory(pid)?.rssMb ?? null, 1)
    } finally {
      child.kill('SIGKILL')
      untrackPid(pid)
    }
  })

const rowsOf = (results: readonly LoadFigures[], floorMb: number | null): Table['rows'] =>
  results.map((r) => [
    `${r.load === 'changes' ? `${r.count} address changes` : `${r.count} new names`}, ${r.variant}`,
    r.before.rss_mb,
    r.during.peak_rss_mb,
    r.after.rss_mb,
    floorMb,
    `${r.before.heap_used_mb ?? '-'}/${r.before.heap_total_mb ?? '-'}`,
    r.during.max_heap_total_mb,
    r.during.max_young_generation_mb,
    `${r.after.heap_used_mb ?? '-'}/${r.after.heap_total_mb ?? '-'}`,
    r.after.live_heap_mb,
    r.cpu_s,
    r.events,
    r.seconds,
  ])

export const memoryScenario = async (options: BenchOptions): Promise<ScenarioResult> => {
  const deployedFlags = deployedNodeFlags(NETMON_BIN)
  const variants: Variant[] = [{ label: 'node defaults', flags: [] }]
  if (deployedFlags.length > 0) variants.push({ label: 'as deployed', flags: deployedFlags })
  progress('memory: floor (bare node)')
  const floorMb = await bareNodeRss([])
  const results: LoadFigures[] = []
  for (const variant of variants) {
    for (const [load, count] of [['changes', options.memoryChanges], ['names', options.memoryNames]] as const) {
      progress(`memory: ${count} ${load}, ${variant.label}${variant.flags.length > 0 ? ` (${variant.flags.join(' ')})` : ''}`)
      results.push(await runLoad(load, count, variant))
    }
  }
  const deployed = results.filter((r) => r.variant === variants.at(-1)?.label)
  const worst = Math.max(...deployed.map((r) => r.during.peak_rss_mb ?? Number.POSITIVE_INFINITY))
  return {
    name: 'memory',
    title: `8. Memory under sustained change load (--debounce 0, every change read back and sent to one client)`,
    figures: { goal_mb: GOAL_MB, floor_bare_node_rss_mb: floorMb, deployed_node_flags: deployedFlags.join(' '), loads: results },
    tables: [
      {
        title: 'MB; heap = used/total as process.memoryUsage() reports it; "live heap" is heapUsed after a forced full GC',
        headers: ['load', 'RSS before', 'peak RSS during', 'RSS after', 'floor: bare node RSS', 'heap before', 'max heap total during', 'max young gen during', 'heap after', 'live heap after', 'CPU s', 'events', 'load s'],
        rows: rowsOf(results, floorMb),
      },
    ],
    goals: [
      {
        goal: `peak RSS under load < ${GOAL_MB} MB (${variants.at(-1)?.label ?? ''})`,
        value: `${Number.isFinite(worst) ? worst : '-'} MB (floor ${floorMb ?? '-'} MB)`,
        met: Number.isFinite(worst) ? worst < GOAL_MB : null,
      },
    ],
    notes: [
      'Peak RSS is VmHWM over the daemon\'s life; "RSS after" is read 2 s after the last change. The heap is sampled every 500 ms through a test-only hook (bench/lib/heap-hook.ts) loaded with --import.',
      'Retention shows as "live heap after" growing with the load; V8 sizing shows as a large "max young gen" and RSS well above the live heap.',
      ...results.filter((r) => r.missed_rounds > 0).map((r) => `${r.load}, ${r.variant}: ${r.missed_rounds} rounds did not see every expected event within ${EVENT_TIMEOUT_MS} ms`),
    ],
  }
}
