import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { REPO_ROOT as ROOT } from '../../test/helpers/repo-root.js'
import type { Goal } from './report.js'
import { run } from './run.js'

/**
 * `--ab <ref>`: one run that measures two daemons, the one built from <ref> (A) and this
 * checkout's (B). A is built in a temporary git worktree (`npm ci`, which builds). Each
 * side is a child bench (`--json`, BENCH_NETMON_BIN pointing at its daemon), and the sides
 * alternate (A, B, A, B, ...) so that the machine's load falls on both alike. Scenario 7
 * (client import cost) measures this checkout's client on both sides.
 */

const BENCH_MAIN = fileURLToPath(new URL('../main.js', import.meta.url))

interface SideReport {
  goals: (Goal & { scenario: string })[]
  total_seconds: number
  machine: { loadavg_at_start?: number[]; loadavg_at_end?: number[] }
}

interface Side {
  label: 'A' | 'B'
  bin: string
  reports: SideReport[]
}

/** Flags of this run that the child benches must not see. */
const withoutAbFlags = (argv: readonly string[]): string[] => {
  const kept: string[] = []
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? ''
    if (arg === '--ab' || arg === '--ab-rounds') i += 1
    else if (!arg.startsWith('--ab=') && !arg.startsWith('--ab-rounds=') && arg !== '--json') kept.push(arg)
  }
  return kept
}

const childBench = (bin: string, argv: readonly string[]): Promise<SideReport> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BENCH_MAIN, '--json', ...argv], {
      env: { ...process.env, BENCH_NETMON_BIN: bin },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    const out: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
    child.once('error', reject)
    child.once('close', (code) => {
      try {
        resolve(JSON.parse(Buffer.concat(out).toString('utf8')) as SideReport)
      } catch {
        reject(new Error(`the bench against ${bin} exited ${code} without a JSON report`))
      }
    })
  })

/** A worktree of `commit` with its dependencies installed and its daemon built. */
const buildBaseline = async (commit: string, say: (message: string) => void): Promise<{ bin: string; remove(): Promise<void> }> => {
  const dir = join(mkdtempSync(join(tmpdir(), 'nmb-ab-')), 'netmon')
  await run('git', ['-C', ROOT, 'worktree', 'add', '--detach', dir, commit])
  const remove = async (): Promise<void> => {
    await run('git', ['-C', ROOT, 'worktree', 'remove', '--force', dir], { allowFail: true })
    rmSync(join(dir, '..'), { recursive: true, force: true })
  }
  try {
    say(`A/B: building ${commit.slice(0, 12)} in ${dir} (npm ci)`)
    await run('npm', ['ci', '--no-audit', '--no-fund', '--prefix', dir])
  } catch (error) {
    await remove()
    throw error
  }
  return { bin: join(dir, 'bin', 'netmon.js'), remove }
}

const goalKey = (goal: { scenario: string; goal: string }): string => `${goal.scenario}: ${goal.goal}`

const describeSide = (side: Side, key: string): string =>
  side.reports
    .map((report) => {
      const goal = report.goals.find((candidate) => goalKey(candidate) === key)
      return goal === undefined ? '-' : `${goal.value}${goal.met === false ? ' (missed)' : ''}`
    })
    .join(' | ')

/** The comparison table: one row per goal, A's and B's figures from every round. */
export const formatAb = (ref: string, commit: string, sides: readonly [Side, Side]): string => {
  const [a, b] = sides
  const keys = [...new Set([...a.reports, ...b.reports].flatMap((report) => report.goals.map(goalKey)))]
  const rows = keys.map((key) => [key, describeSide(a, key), describeSide(b, key)])
  const headers = ['goal', `A: ${ref} (${commit.slice(0, 12)})`, 'B: this checkout']
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)))
  const line = (cells: readonly string[]): string => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd()
  const loads = [a, b].map((side) => `${side.label}: ${side.reports.map((report) => `${report.machine.loadavg_at_start?.[0] ?? '?'}->${report.machine.loadavg_at_end?.[0] ?? '?'}`).join(', ')}`)
  return [
    `== A/B: ${a.reports.length} round(s), sides alternated; figures of each round separated by |`,
    `  load average (1 min) per round, ${loads.join('; ')}`,
    '',
    `  ${line(headers)}`,
    `  ${widths.map((width) => '-'.repeat(width)).join('  ')}`,
    ...rows.map((row) => `  ${line(row)}`),
    '',
  ].join('\n')
}

export const runAb = async (ref: string, argv: readonly string[], rounds: number, say: (message: string) => void): Promise<number> => {
  const resolved = await run('git', ['-C', ROOT, 'rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { allowFail: true })
  const commit = resolved.stdout.trim()
  if (resolved.code !== 0 || commit === '') {
    process.stderr.write(`bench: --ab ${ref}: not a commit of ${ROOT}\n`)
    return 2
  }
  const baseline = await buildBaseline(commit, say)
  const childArgs = withoutAbFlags(argv)
  const sides: [Side, Side] = [
    { label: 'A', bin: baseline.bin, reports: [] },
    { label: 'B', bin: join(ROOT, 'bin', 'netmon.js'), reports: [] },
  ]
  try {
    for (let round = 1; round <= rounds; round += 1) {
      for (const side of sides) {
        say(`A/B: round ${round}/${rounds}, side ${side.label} (${side.bin})`)
        side.reports.push(await childBench(side.bin, childArgs))
      }
    }
  } finally {
    await baseline.remove()
  }
  process.stdout.write(formatAb(ref, commit, sides))
  return 0
}
