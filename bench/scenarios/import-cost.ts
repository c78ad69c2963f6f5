import { spawnSync } from 'node:child_process'
import { cpus, loadavg } from 'node:os'
import { REPO_ROOT } from '../../test/helpers/repo-root.js'
import { progress, type BenchOptions } from '../lib/options.js'
import { ms, type ScenarioResult } from '../lib/report.js'
import { now, percentile, round } from '../lib/stats.js'

/**
 * Issue 13: what the TypeScript client costs a program that imports it and validates one
 * discovery, above a bare `node -e`. Each case is a fresh node process; the cases run
 * interleaved, so load on the machine hits them alike. Needs a build (dist/), not root.
 */
const GOAL = { ms: 40, mb: 5 }

const iface = (n: number) => ({
  interface: `eth${n}`,
  index: n + 2,
  operstate: 'UP',
  ipv4_addresses: [{ address: `10.${n}.0.5`, prefixlen: 24, subnet: `10.${n}.0.0/24`, network_address: `10.${n}.0.0` }],
  gateway: `10.${n}.0.1`,
  timestamp: '2025-11-20T20:30:45.123456',
  type: 'ethernet',
})
const DISCOVERY = JSON.stringify({ type: 'network_discovery', data: { interfaces: [0, 1, 2, 3].map(iface), timestamp: '2025-11-20T20:30:45.123456' } })
/** Ends every case: the process's peak RSS (KiB) and CPU time since start (µs) on stdout. */
const REPORT = 'const usage = process.resourceUsage(); process.stdout.write(JSON.stringify([usage.maxRSS, usage.userCPUTime + usage.systemCPUTime]))'
const VALIDATE = `if (parseLine(${JSON.stringify(DISCOVERY)}).kind !== 'discovery') throw new Error('discovery rejected');`

/** The cases, run from the repository root so `netmon` resolves through package.json `exports`. */
const CASES = [
  { name: 'bare node -e (the floor)', args: ['-e', REPORT] },
  { name: "import { parseLine } from 'netmon' + a discovery", args: ['--input-type=module', '-e', `import { parseLine } from 'netmon'; ${VALIDATE} ${REPORT}`] },
  { name: "require('netmon') + a discovery", args: ['-e', `const { parseLine } = require('netmon'); ${VALIDATE} ${REPORT}`] },
  { name: 'for scale: @sinclair/typebox/value alone', args: ['--input-type=module', '-e', `await import('@sinclair/typebox/value'); ${REPORT}`] },
] as const

interface Sample {
  /** Wall time of the whole process, spawn to exit. */
  ms: number
  /** User + system CPU time of the process: what it cost, without the wait for a core. */
  cpu: number
  /** Peak RSS. */
  mb: number
}
type Figure = keyof Sample

const once = (args: readonly string[]): Sample => {
  const started = now()
  const child = spawnSync(process.execPath, args, { cwd: REPO_ROOT, encoding: 'utf8' })
  const elapsed = now() - started
  if (child.status !== 0) throw new Error(`node ${args.join(' ').slice(0, 80)}... exited ${child.status}: ${child.stderr.trim().split('\n').slice(0, 3).join(' | ')}`)
  const [rssKib, cpuMicros] = JSON.parse(child.stdout) as [number, number]
  return { ms: elapsed, cpu: cpuMicros / 1000, mb: rssKib / 1024 }
}
const FIGURES: Figure[] = ['ms', 'cpu', 'mb']

export const importCostScenario = async (options: BenchOptions): Promise<ScenarioResult> => {
  const runs = options.quick ? 7 : 25
  progress(`import-cost: ${runs} runs of ${CASES.length} cases, interleaved`)
  const samples = CASES.map(() => [] as Sample[])
  for (let n = 0; n < runs; n += 1) CASES.forEach((c, i) => samples[i]?.push(once(c.args)))
  const median = (list: Sample[] | undefined): Sample => {
    const of = (figure: Figure): number => percentile((list ?? []).map((sample) => sample[figure]), 50) ?? 0
    return { ms: of('ms'), cpu: of('cpu'), mb: of('mb') }
  }
  const medians = samples.map(median)
  const floor = medians[0] ?? median(undefined)
  const above = (m: Sample): Sample => ({ ms: m.ms - floor.ms, cpu: m.cpu - floor.cpu, mb: m.mb - floor.mb })
  const esm = above(medians[1] ?? floor)
  const cjs = above(medians[2] ?? floor)
  const load = loadavg()[0] ?? 0
  const busy = load > cpus().length
  return {
    name: 'import-cost',
    title: '7. Client import cost',
    figures: {
      runs,
      loadavg_1m: round(load),
      cases: CASES.map((c, i) => {
        const m = medians[i] ?? floor
        const extra = above(m)
        return { name: c.name, ...Object.fromEntries(FIGURES.flatMap((f) => [[`median_${f}`, round(m[f], 1)], [`above_floor_${f}`, round(extra[f], 1)]])) }
      }),
    },
    tables: [
      {
        title: `median of ${runs} fresh processes: wall ms (spawn to exit), CPU ms (user+system), peak RSS MB; "+" is above the floor`,
        headers: ['case', 'wall', 'CPU', 'MB', '+wall', '+CPU', '+MB'],
        rows: CASES.map((c, i) => {
          const m = medians[i] ?? floor
          const extra = above(m)
          return [c.name, ms(m.ms), ms(m.cpu), ms(m.mb), ...FIGURES.map((f) => (i === 0 ? '-' : ms(extra[f])))]
        }),
      },
    ],
    goals: [
      {
        goal: `import + validate a discovery: < ${GOAL.ms} ms above bare node (${busy ? 'CPU time: the machine is busier than its cores' : 'wall time'})`,
        value: `${ms(busy ? esm.cpu : esm.ms)} ms (wall ${ms(esm.ms)}, CPU ${ms(esm.cpu)}; require: wall ${ms(cjs.ms)}, CPU ${ms(cjs.cpu)})`,
        met: (busy ? esm.cpu : esm.ms) < GOAL.ms,
      },
      { goal: `import + validate a discovery: < ${GOAL.mb} MB above bare node`, value: `${ms(esm.mb)} MB (require: ${ms(cjs.mb)})`, met: esm.mb < GOAL.mb },
    ],
    notes: [
      'the floor runs only the statement that prints its figures, like every case',
      `load average ${round(load)} on ${cpus().length} cores: ${busy ? 'wall times include waiting for a core, so the goal is judged on CPU time' : 'wall time is judged'}`,
    ],
  }
}
