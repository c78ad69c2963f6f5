import { compileGlob } from './glob.js'
import { fail, ok, type Result } from './result.js'

/** Interface names the seed never reports. */
export const DEFAULT_IGNORE: readonly string[] = ['lo', 'docker0', 'veth*']

/** One `--ignore` glob compiled, or why it is refused, naming the glob. */
const compileIgnoreGlob = (glob: string): Result<(ifname: string) => boolean> => {
  const compiled = compileGlob(glob)
  return compiled.ok ? compiled : fail(`${JSON.stringify(glob)}: ${compiled.error}`)
}

/** Checks one `--ignore` glob at start-up; the error names the glob and what is wrong with it. */
export const checkIgnoreGlob = (glob: string): Result<string> => {
  const compiled = compileIgnoreGlob(glob)
  return compiled.ok ? ok(glob) : compiled
}

/**
 * Compiles shell globs over interface names (see glob.ts) into one predicate. The CLI
 * checks each glob with `checkIgnoreGlob` first; a glob refused here is a caller's bug, so
 * it throws rather than match nothing. Empty entries (`--ignore a,,b`) are skipped.
 */
export const compileIgnore = (globs: readonly string[]): ((ifname: string) => boolean) => {
  const matchers = globs
    .filter((glob) => glob !== '')
    .map((glob) => {
      const compiled = compileIgnoreGlob(glob)
      if (!compiled.ok) throw new Error(`ignore pattern ${compiled.error}`)
      return compiled.value
    })
  return (ifname) => matchers.some((matches) => matches(ifname))
}
