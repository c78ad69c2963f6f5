/** Outcome of a parser: parsers never throw on bad input. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: string }

export const ok = <T>(value: T): Result<T> => ({ ok: true, value })
export const fail = <T = never>(error: string): Result<T> => ({ ok: false, error })

/** Ends every exhaustive switch: the compiler proves it is never called. */
export const unreachable = (value: never): never => {
  throw new Error(`unhandled case ${JSON.stringify(value)}`)
}

/** What a caught value says: an Error's message, anything else (a thrown string) as text. */
export const messageOf = (thrown: unknown): string => (thrown instanceof Error ? thrown.message : String(thrown))
