/** Interface names the seed never reports. */
export const DEFAULT_IGNORE: readonly string[] = ['lo', 'docker0', 'veth*']

const escapeRegExp = (text: string): string => text.replace(/[.+^${}()|[\]\\]/g, '\\$&')

/** Compiles shell-style globs (`*`, `?`) over interface names into one predicate. */
export const compileIgnore = (globs: readonly string[]): ((ifname: string) => boolean) => {
  const patterns = globs
    .filter((glob) => glob.length > 0)
    .map((glob) => new RegExp(`^${escapeRegExp(glob).replace(/\*/g, '.*').replace(/\?/g, '.')}$`))
  return (ifname) => patterns.some((pattern) => pattern.test(ifname))
}
