import type { Test } from 'tap'
import { createNamespace, type Namespace } from './netns.js'

/**
 * The most common test host: a namespace whose veth end `ens37` is UP with 10.77.0.5/24.
 * Undefined when namespaces are unavailable outside CI (the test is skipped).
 */
export const namespaceWithEns37 = async (t: Test, label: string): Promise<Namespace | undefined> => {
  const ns = await createNamespace(t, label)
  if (ns === undefined) return undefined
  await ns.addVeth('ens37')
  await ns.ip('addr', 'add', '10.77.0.5/24', 'dev', 'ens37')
  return ns
}

/** The interfaces of `namespaceWithInterfaces`, in the order of their addresses. */
export const INTERFACES = ['ens1', 'ens2', 'ens3', 'ens4']

/**
 * A namespace whose INTERFACES are UP with 10.77.<position>.5/24 each. Undefined when
 * namespaces are unavailable outside CI (the test is skipped).
 */
export const namespaceWithInterfaces = async (t: Test, label: string): Promise<Namespace | undefined> => {
  const ns = await createNamespace(t, label)
  if (ns === undefined) return undefined
  for (const [position, name] of INTERFACES.entries()) {
    await ns.addVeth(name)
    await ns.ip('addr', 'add', `10.77.${position}.5/24`, 'dev', name)
  }
  return ns
}
