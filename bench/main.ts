import { existsSync, readFileSync } from 'node:fs'
import { cpus, loadavg, release } from 'node:os'
import { inRepo } from '../test/helpers/repo-root.js'
import { runAb } from './lib/ab.js'
import { cleanupAllSync, installCleanupHandlers } from './lib/cleanup.js'
import { parseOptions, progress, USAGE, type BenchOptions } from './lib/options.js'
import { formatResult, type ScenarioResult } from './lib/report.js'
import { run } from './lib/run.js'
import { now, round } from './lib/stats.js'
import { connectScenario } from './scenarios/connect.js'
import { fanoutScenario } from './scenarios/fanout.js'
import { footprintScenario } from './scenarios/footprint.js'
import { importCostScenario } from './scenarios/import-cost.js'
import { interfacesScenario } from './scenarios/interfaces.js'
import { latencyScenario } from './scenarios/latency.js'
import { memoryScenario } from './scenarios/memory.js'
import { routesScenario } from './scenarios/routes.js'
import { stormScenario, type StormFigures } from './scenarios/storm.js'

/** The suite of issue 7: runs the real daemon in throw-away namespaces and reports, never asserts. */

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/** Checks that the bench can run at all (root, iproute2, namespaces, a built daemon). */
const preflight = async (): Promise<string | undefined> => {
  if (process.getuid?.() !== 0) return 'needs root (it creates network namespaces)'
  if (!existsSync(inRepo('dist', 'netmon', 'main.js'))) return 'dist/ is missing: run `npm run build`'
  try {
    await run('ip', ['-json', 'link', 'show'])
  } catch (error) {
    return `iproute2 \`ip -json\` does not work: ${describe(error)}`
  }
  return undefined
}

const machine = async (): Promise<Record<string, unknown>> => ({
  nproc: cpus().length,
  cpu_model: cpus()[0]?.model ?? 'unknown',
  kernel: release(),
  node: process.version,
  iproute2: (await run('ip', ['-V'], { allowFail: true })).stdout.trim(),
  loadavg_at_start: loadavg().map((value) => round(value)),
  netmon_version: (JSON.parse(readFileSync(inRepo('package.json'), 'utf8')) as { version?: string }).version,
})

const runScenarios = async (options: BenchOptions): Promise<ScenarioResult[]> => {
  const results: ScenarioResult[] = []
  let afterStorm: { ops: number; rssMb: number | null; peakMb: number | null } | undefined
  const attempt = async (name: string, title: string, body: () => Promise<ScenarioResult>): Promise<void> => {
    if (!options.only.includes(name)) return
    const started = now()
    let result: ScenarioResult
    try {
      result = await body()
    } catch (error) {
      result = { name, title, figures: {}, tables: [], goals: [], notes: [], error: describe(error) }
      progress(`${name}: could not run: ${describe(error)}`)
    }
    result.figures.scenario_seconds = round((now() - started) / 1000, 1)
    results.push(result)
    if (!options.json) process.stdout.write(`\n${formatResult(result)}\n`)
  }
  await attempt('latency', '1. Reaction latency', () => latencyScenario(options))
  await attempt('storm', '2. Storm', async () => {
    const result = await stormScenario(options)
    const sizes = result.figures.sizes as StormFigures[]
    const biggest = sizes.at(-1)
    if (biggest !== undefined) afterStorm = { ops: biggest.ops, rssMb: biggest.rss_after_mb, peakMb: biggest.peak_rss_mb }
    return result
  })
  await attempt('connect', '3. Connect storm', () => connectScenario(options))
  await attempt('fanout', '4. Fan-out', () => fanoutScenario(options))
  await attempt('footprint', '5. Footprint', () => footprintScenario(options, afterStorm))
  await attempt('interfaces', '6. Many interfaces', () => interfacesScenario(options))
  await attempt('import-cost', '7. Client import cost', () => importCostScenario(options))
  await attempt('memory', '8. Memory under load', () => memoryScenario(options))
  await attempt('routes', '9. Route-table size', () => routesScenario(options))
  return results
}

const main = async (argv: string[]): Promise<number> => {
  let options: BenchOptions | undefined
  try {
    options = parseOptions(argv)
  } catch (error) {
    process.stderr.write(`bench: ${describe(error)}\n\n${USAGE}`)
    return 2
  }
  if (options === undefined) {
    process.stdout.write(USAGE)
    return 0
  }
  const problem = await preflight()
  if (problem !== undefined) {
    process.stderr.write(`bench: cannot run: ${problem}\n`)
    return 1
  }
  if (options.ab !== undefined) return runAb(options.ab, argv, options.abRounds, progress)
  installCleanupHandlers()
  const started = now()
  const env = await machine()
  if (!options.json) {
    process.stdout.write(`netmon bench${options.quick ? ' (quick)' : ''}: ${JSON.stringify(env)}\n`)
    process.stdout.write('Figures are measured, never asserted; on a shared 2-core machine they are noisy.\n')
  }
  const results = await runScenarios(options)
  cleanupAllSync()
  const summary = {
    machine: { ...env, loadavg_at_end: loadavg().map((value) => round(value)) },
    quick: options.quick,
    total_seconds: round((now() - started) / 1000, 1),
    goals: results.flatMap((result) => result.goals.map((goal) => ({ scenario: result.name, ...goal }))),
    scenarios: results.map(({ name, title, figures, notes, error }) => ({ name, title, figures, notes, ...(error === undefined ? {} : { error }) })),
  }
  if (options.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`)
  else {
    const missed = summary.goals.filter((goal) => goal.met === false)
    process.stdout.write(`\n== Summary: ${summary.goals.length - missed.length}/${summary.goals.length} goals met in ${summary.total_seconds} s`)
    process.stdout.write(missed.length === 0 ? '\n' : `; missed:\n${missed.map((goal) => `  - ${goal.scenario}: ${goal.goal}: ${goal.value}`).join('\n')}\n`)
  }
  const failed = results.filter((result) => result.error !== undefined)
  if (failed.length > 0) process.stderr.write(`bench: ${failed.length} scenario(s) could not run: ${failed.map((result) => result.name).join(', ')}\n`)
  return failed.length > 0 ? 1 : 0
}

process.exitCode = await main(process.argv.slice(2))
