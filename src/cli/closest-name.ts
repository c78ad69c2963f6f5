/** Optimal-string-alignment distance: edits, with a swap of neighbours counting as one. */
const editDistance = (a: string, b: string): number => {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)))
  /* c8 ignore next -- every read is inside the table: the fallback only satisfies noUncheckedIndexedAccess */
  const at = (i: number, j: number): number => rows[i]?.[j] ?? Number.POSITIVE_INFINITY
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1)
      const row = rows[i]
      if (row !== undefined) row[j] = best
    }
  }
  return at(a.length, b.length)
}

/** The candidate a mistyped `word` most likely meant (two edits at most, under half its length), if any. */
export const closestName = (word: string, candidates: readonly string[]): string | undefined => {
  let best: { name: string; distance: number } | undefined
  for (const name of candidates) {
    const distance = editDistance(word, name)
    if (distance <= 2 && distance * 2 < name.length && (best === undefined || distance < best.distance)) best = { name, distance }
  }
  return best?.name
}
