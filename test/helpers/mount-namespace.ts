import { execa } from 'execa'
import type { Test } from 'tap'

/**
 * Runs `code`, an ES module that may import src/ modules by file URL, in a node child inside
 * a private mount namespace: it may mount over any path (a read-only folder, an empty /proc)
 * and the host never sees it. Resolves with the child's stdout. Where mount namespaces cannot
 * be made, CI (CI=true) fails loudly; elsewhere the test is skipped and undefined returned.
 */
export const inMountNamespace = async (t: Test, code: string): Promise<string | undefined> => {
  const probe = await execa('unshare', ['--mount', 'true'], { reject: false })
  if (probe.exitCode !== 0) {
    const reason = `cannot create a mount namespace (needs root and util-linux): ${probe.stderr || probe.message}`
    if (process.env.CI === 'true') {
      t.fail(reason)
      throw new Error(reason)
    }
    t.skip(reason, () => {})
    return undefined
  }
  // The test's own node flags, so that the child loads TypeScript and records coverage alike.
  const child = await execa('unshare', ['--mount', '--propagation', 'private', process.execPath, ...process.execArgv, '--input-type=module', '-e', code])
  return child.stdout
}
