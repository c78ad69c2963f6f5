import { withNamespace } from '../../test/helpers/netns.js'
import { connectWhenFree, type SocketClient } from '../../test/helpers/socket-client.js'
import { sleep } from '../../test/helpers/wait.js'
import { clientArrival, discoveryOf } from '../lib/arrivals.js'
import { withDaemon } from '../lib/daemon.js'
import { startFloorServer } from '../lib/floor.js'
import { progress, type BenchOptions } from '../lib/options.js'
import { ms, type Goal, type ScenarioResult } from '../lib/report.js'
import { timedIp } from '../lib/run.js'
import { percentile, round } from '../lib/stats.js'

const IFNAME = 'ens37'

interface FanoutFigures {
  clients: number
  changes: number
  /** Medians over the changes, ms from `ip addr add` returning. */
  first_ms: number | null
  last_ms: number | null
  spread_ms: number | null
  worst_spread_ms: number | null
  missed: number
  /** Median spread over the same client count on a bare node:net server broadcasting one line. */
  floor_spread_ms: number | null
}

/** The floor: the same clients on a bare server that writes one line to all of them. */
const floorSpread = async (count: number, changes: number): Promise<number | null> => {
  const floor = await startFloorServer('{"type":"network_discovery","data":{"interfaces":[],"timestamp":""}}')
  try {
    const clients = await connectMany(floor.socketPath, count)
    await sleep(300)
    const spreads: number[] = []
    for (let n = 0; n < changes; n += 1) {
      const marker = `floor-${n}`
      const seen = clients.map((client) => clientArrival(client, (line) => line.includes(marker), 5000, client.lines.lines.length))
      floor.broadcast(`{"type":"network_change","data":{"interface":"${marker}"}}`)
      const times = (await Promise.all(seen)).flatMap((hit) => (hit === undefined ? [] : [hit.at]))
      spreads.push(Math.max(...times) - Math.min(...times))
      await sleep(100)
    }
    for (const client of clients) client.close()
    return round(percentile(spreads, 50))
  } finally {
    await floor.stop()
  }
}

const connectMany = async (socketPath: string, count: number): Promise<SocketClient[]> => {
  const clients: SocketClient[] = []
  for (let start = 0; start < count; start += 50) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(50, count - start) }, async () => {
        const client = await connectWhenFree(socketPath)
        if ((await discoveryOf(client, 10_000)) === undefined) throw new Error('a fan-out client got no discovery')
        return client
      }),
    )
    clients.push(...batch)
  }
  return clients
}

export const fanoutScenario = (options: BenchOptions): Promise<ScenarioResult> =>
  withNamespace('fan', async (ns) => {
    await ns.addVeths([IFNAME], [`addr add 10.30.0.1/16 dev ${IFNAME}`])
    const maxClients = Math.max(...options.fanoutSizes) + 20
    const results: FanoutFigures[] = []
    await withDaemon(ns, ['--debounce', '0', '--max-clients', String(maxClients)], async (daemon) => {
      await daemon.listening
      for (const [sizeNo, count] of options.fanoutSizes.entries()) {
        progress(`fan-out: ${count} clients, ${options.fanoutChanges} changes`)
        const clients = await connectMany(daemon.socketPath, count)
        await sleep(300)
        const firsts: number[] = []
        const lasts: number[] = []
        const spreads: number[] = []
        let missed = 0
        for (let n = 0; n < options.fanoutChanges; n += 1) {
          const address = `10.30.${sizeNo + 1}.${n + 1}`
          const seen = clients.map((client) =>
            clientArrival(client, (line) => line.includes(`"address":"${address}"`), 5000, client.lines.lines.length),
          )
          const added = await timedIp(ns, 'addr', 'add', `${address}/16`, 'dev', IFNAME)
          const times = (await Promise.all(seen)).flatMap((hit) => (hit === undefined ? [] : [hit.at - added.exitedAt]))
          missed += clients.length - times.length
          const first = Math.min(...times)
          const last = Math.max(...times)
          firsts.push(first)
          lasts.push(last)
          spreads.push(last - first)
          await sleep(100)
        }
        for (const client of clients) client.close()
        results.push({
          clients: count,
          changes: options.fanoutChanges,
          first_ms: round(percentile(firsts, 50)),
          last_ms: round(percentile(lasts, 50)),
          spread_ms: round(percentile(spreads, 50)),
          worst_spread_ms: round(percentile(spreads, 100)),
          missed,
          floor_spread_ms: null,
        })
        await sleep(300)
      }
    })
    for (const result of results) {
      progress(`fan-out: floor, ${result.clients} clients`)
      result.floor_spread_ms = await floorSpread(result.clients, options.fanoutChanges)
    }
    const biggest = results.at(-1)
    const goals: Goal[] =
      biggest === undefined
        ? []
        : [
            {
              goal: `fan-out to ${biggest.clients} clients within 20 ms (first -> last client)`,
              value: `${ms(biggest.spread_ms)} ms (median), worst ${ms(biggest.worst_spread_ms)} ms`,
              met: biggest.spread_ms === null ? null : biggest.spread_ms < 20 && biggest.missed === 0,
            },
          ]
    return {
      name: 'fanout',
      title: '4. Fan-out: one change, --debounce 0 (ms from `ip addr add` returning; medians over the changes)',
      figures: { sizes: results },
      tables: [
        {
          title: 'per client count',
          headers: ['clients', 'changes', 'first client', 'last client', 'spread (last - first)', 'worst spread', 'missed', 'floor spread'],
          rows: results.map((r) => [r.clients, r.changes, ms(r.first_ms), ms(r.last_ms), ms(r.spread_ms), ms(r.worst_spread_ms), r.missed, ms(r.floor_spread_ms)]),
        },
      ],
      goals,
      notes: [
        'All clients are sockets in the bench process: the spread includes the bench reading every socket on the same 2 cores.',
        'Floor spread: the same clients on a bare node:net server (no netmon code) writing one line to each; the part of the spread that is not netmon\'s.',
      ],
    }
  })
