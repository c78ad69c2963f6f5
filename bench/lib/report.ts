/** One goal from issue 7, reported (never asserted). `met` is null when it could not be measured. */
export interface Goal {
  goal: string
  value: string
  met: boolean | null
}

export interface Table {
  title: string
  headers: string[]
  rows: (string | number | null)[][]
}

/** What each scenario hands back: figures for --json, tables and goals for people. */
export interface ScenarioResult {
  name: string
  title: string
  figures: Record<string, unknown>
  tables: Table[]
  goals: Goal[]
  notes: string[]
  error?: string
}

const cell = (value: string | number | null): string => (value === null ? '-' : String(value))

export const formatTable = (table: Table): string => {
  const rows = [table.headers, ...table.rows.map((row) => row.map(cell))]
  const widths = table.headers.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)))
  const line = (row: string[]): string =>
    row.map((text, column) => (column === 0 ? text.padEnd(widths[column] ?? 0) : text.padStart(widths[column] ?? 0))).join('  ')
  const rule = widths.map((width) => '-'.repeat(width)).join('  ')
  return [`  ${table.title}`, `  ${line(rows[0] ?? [])}`, `  ${rule}`, ...rows.slice(1).map((row) => `  ${line(row)}`)].join('\n')
}

export const formatResult = (result: ScenarioResult): string => {
  const parts = [`== ${result.title}`]
  if (result.error !== undefined) parts.push(`  COULD NOT RUN: ${result.error}`)
  for (const table of result.tables) parts.push(formatTable(table))
  if (result.goals.length > 0) {
    parts.push(
      formatTable({
        title: 'goals (reported, not asserted)',
        headers: ['goal', 'measured', 'result'],
        rows: result.goals.map((goal) => [goal.goal, goal.value, goal.met === null ? 'n/a' : goal.met ? 'met' : 'MISSED']),
      }),
    )
  }
  for (const note of result.notes) parts.push(`  note: ${note}`)
  return parts.join('\n\n')
}

export const ms = (value: number | null, digits = 1): string => (value === null ? '-' : value.toFixed(digits))
