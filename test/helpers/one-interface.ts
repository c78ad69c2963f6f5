import { join } from 'node:path'
import type { Test } from 'tap'
import { createNamespace, type TestNamespace } from './netns.js'
import { tempDir } from './temp-dir.js'

/** A socket path in a fresh folder of its own (short enough for the 107-byte limit), removed at the end. */
export const socketPath = (t: Test, label: string): string => join(tempDir(t, label), 'netmon.sock')

/**
 * The most common test host: a namespace whose veth end `ens37` is UP with 10.77.0.5/24.
 * Undefined when namespaces are unavailable outside CI (the test is skipped).
 */
export const namespaceWithEns37 = async (t: Test, label: string): Promise<TestNamespace | undefined> => {
  const ns = await createNamespace(t, label)
  if (ns === undefined) return undefined
  await ns.addVeth('ens37')
  await ns.ip('addr', 'add', '10.77.0.5/24', 'dev', 'ens37')
  return ns
}
