import { withNamespace } from '../../test/helpers/netns.js'
import { cpuTimes } from '../../test/helpers/proc-stats.js'
import { connectWhenFree, type SocketClient } from '../../test/helpers/socket-client.js'
import { sleep } from '../../test/helpers/wait.js'
import { discoveryOf, statusOf } from '../lib/arrivals.js'
import { withDaemon } from '../lib/daemon.js'
import { startFloorServer } from '../lib/floor.js'
import { progress, type BenchOptions } from '../lib/options.js'
import { ms, type Goal, type ScenarioResult } from '../lib/report.js'
import { now, summarize, type Summary } from '../lib/stats.js'

export const INTERFACES = 20

interface ConnectFigures {
  clients: number
  served: number
  refused_or_failed: number
  discovery_ms: Summary
  /** The same clients against a bare node:net server that sends the same discovery line. */
  floor_ms: Summary
  snapshots_meanwhile: number
  /** Daemon CPU (utime+stime) from the first connect to the last discovery, ms (10 ms ticks). */
  daemon_cpu_ms: number | null
  ip_processes_meanwhile: number
}

/** Opens `count` connections in one tick; each time is from that tick to its discovery line. */
const connectStorm = async (socketPath: string, count: number): Promise<{ times: number[]; failed: number; clients: SocketClient[] }> => {
  const start = now()
  const settled = await Promise.allSettled(
    Array.from({ length: count }, async () => {
      const client = await connectWhenFree(socketPath)
      const discovery = await discoveryOf(client, 10_000)
      return { client, at: discovery?.at }
    }),
  )
  const times: number[] = []
  const clients: SocketClient[] = []
  let failed = 0
  for (const outcome of settled) {
    if (outcome.status === 'rejected') failed += 1
    else {
      clients.push(outcome.value.client)
      if (outcome.value.at === undefined) failed += 1
      else times.push(outcome.value.at - start)
    }
  }
  return { times, failed, clients }
}

export const connectScenario = (options: BenchOptions): Promise<ScenarioResult> =>
  withNamespace('conn', async (ns) => {
    const names = Array.from({ length: INTERFACES }, (_, i) => `eth${i + 1}`)
    await ns.addVeths(names, names.map((name, i) => `addr add 10.${i + 1}.0.1/16 dev ${name}`))
    const maxClients = Math.max(...options.connectSizes) + 20
    const results: ConnectFigures[] = []
    let discoveryLine = ''
    await withDaemon(ns, ['--max-clients', String(maxClients)], async (daemon) => {
      const control = await daemon.connect()
      discoveryLine = control.lines.lines[0] ?? ''
      for (const count of options.connectSizes) {
        progress(`connect: ${count} clients at once`)
        await sleep(300)
        const before = await statusOf(control)
        const cpuBefore = cpuTimes(daemon.pid)
        const storm = await connectStorm(daemon.socketPath, count)
        const cpuAfter = cpuTimes(daemon.pid)
        const after = await statusOf(control)
        for (const client of storm.clients) client.close()
        const snapshots = after.snapshotsTaken - before.snapshotsTaken
        results.push({
          clients: count,
          served: storm.times.length,
          refused_or_failed: storm.failed,
          discovery_ms: summarize(storm.times),
          floor_ms: summarize([]),
          snapshots_meanwhile: snapshots,
          ip_processes_meanwhile: 2 * snapshots,
          daemon_cpu_ms: cpuBefore === undefined || cpuAfter === undefined ? null : Math.round((cpuAfter.self - cpuBefore.self) * 1000),
        })
      }
      control.close()
    })
    const floor = await startFloorServer(discoveryLine)
    try {
      for (const result of results) {
        progress(`connect: floor, ${result.clients} clients at once`)
        await sleep(300)
        const storm = await connectStorm(floor.socketPath, result.clients)
        for (const client of storm.clients) client.close()
        result.floor_ms = summarize(storm.times)
      }
    } finally {
      await floor.stop()
    }
    const biggest = results.at(-1)
    const goals: Goal[] =
      biggest === undefined
        ? []
        : [
            {
              goal: `${biggest.clients} clients all served discovery within 300 ms`,
              value: `max ${ms(biggest.discovery_ms.max)} ms, ${biggest.served}/${biggest.clients} served`,
              met: biggest.discovery_ms.max === null ? null : biggest.served === biggest.clients && biggest.discovery_ms.max < 300,
            },
          ]
    return {
      name: 'connect',
      title: `3. Connect storm: clients connecting at once, ${INTERFACES} interfaces reported (ms from the first connect() to each discovery)`,
      figures: { interfaces: INTERFACES, max_clients: maxClients, sizes: results },
      tables: [
        {
          title: 'per storm size',
          headers: ['clients', 'served', 'failed', 'p50', 'p99', 'max', 'floor p50', 'floor p99', 'floor max', 'daemon CPU ms', 'ip processes spawned'],
          rows: results.map((r) => [
            r.clients,
            r.served,
            r.refused_or_failed,
            ms(r.discovery_ms.p50),
            ms(r.discovery_ms.p99),
            ms(r.discovery_ms.max),
            ms(r.floor_ms.p50),
            ms(r.floor_ms.p99),
            ms(r.floor_ms.max),
            r.daemon_cpu_ms,
            r.ip_processes_meanwhile,
          ]),
        },
      ],
      goals,
      notes: [
        'ip processes = 2 x the increase of status.snapshots_taken (each snapshot runs `ip -json addr` and `ip -json route`).',
        'The clients live in the bench process, which shares the 2 cores with the daemon: their connect and read costs are in these times. The floor is the same clients against a bare node:net server (no netmon code) that greets each with the same discovery line.',
      ],
    }
  })
