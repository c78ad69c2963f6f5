/** Order statistics over samples in milliseconds; null where there are no samples. */
export interface Summary {
  count: number
  p50: number | null
  p99: number | null
  max: number | null
}

/** Nearest-rank percentile (p in 0..100) of `values`; null when empty. */
export const percentile = (values: readonly number[], p: number): number | null => {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)))
  return sorted[rank - 1] ?? null
}

export const summarize = (values: readonly number[]): Summary => ({
  count: values.length,
  p50: round(percentile(values, 50)),
  p99: round(percentile(values, 99)),
  max: round(percentile(values, 100)),
})

/** Rounds to `digits` decimals, keeping null. */
export const round = (value: number | null, digits = 2): number | null =>
  value === null ? null : Math.round(value * 10 ** digits) / 10 ** digits

/** Milliseconds on a monotonic clock: every bench timing uses it. */
export const now = (): number => performance.now()
