import type { Test } from 'tap'
import type { InterfaceReport, ProtocolEvent } from '../../src/core/protocol.js'
import { startDaemonProcess, type DaemonProcess } from './daemon-process.js'
import { createNamespace, type Namespace } from './netns.js'
import { assertProtocolLines } from './protocol-schema.js'
import { sleep } from './wait.js'

/** A namespace with the real daemon printing events on --stdout. */
export interface Watched {
  ns: Namespace
  daemon: DaemonProcess
  discovery: InterfaceReport[]
  /** Waits for the next event line after those already taken. */
  nextChange(timeoutMs?: number): Promise<InterfaceReport>
  /** Asserts that no event arrives for `ms`. */
  expectQuiet(t: Test, ms: number, why: string): Promise<void>
  /** Validates every line printed so far against the protocol schema. */
  validate(t: Test): void
}

/**
 * Creates a namespace, lets `setup` build its links, starts the daemon in it and waits
 * for the discovery. Undefined when namespaces are unavailable outside CI (test skipped).
 */
export const watchNamespace = async (
  t: Test,
  label: string,
  setup: (ns: Namespace) => Promise<void>,
  args: string[] = [],
): Promise<Watched | undefined> => {
  const ns = await createNamespace(t, label)
  if (ns === undefined) return undefined
  await setup(ns)
  const daemon = startDaemonProcess(t, ns, ['--stdout', '--no-socket', '--debounce', '300', '--log-level', 'debug', ...args])
  const [first] = await daemon.stdout.waitForCount(1, 15_000)
  const discovery = JSON.parse(first ?? '') as ProtocolEvent
  if (discovery.type !== 'network_discovery') throw new Error(`first line is not a discovery: ${first}`)
  let taken = 1
  return {
    ns,
    daemon,
    discovery: discovery.data.interfaces,
    async nextChange(timeoutMs = 10_000) {
      const lines = await daemon.stdout.waitForCount(taken + 1, timeoutMs)
      const event = JSON.parse(lines[taken] ?? '') as ProtocolEvent
      taken += 1
      if (event.type !== 'network_change') throw new Error(`expected a network_change, got ${lines[taken - 1]}`)
      return event.data
    },
    validate: (t) => assertProtocolLines(t, daemon.stdout.lines),
    async expectQuiet(t, ms, why) {
      const before = daemon.stdout.lines.length
      await sleep(ms)
      t.same(daemon.stdout.lines.slice(before), [], `no event: ${why}`)
    },
  }
}

/** The address objects a client sees, built the seed's way, for exact comparisons. */
export const address = (cidr: string, network: string): InterfaceReport['ipv4_addresses'][number] => {
  const [local = '', prefixlen = ''] = cidr.split('/')
  return { address: local, prefixlen: Number(prefixlen), subnet: `${network}/${prefixlen}`, network_address: network }
}
