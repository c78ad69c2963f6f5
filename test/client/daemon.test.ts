import t from 'tap'
import { connect, InterfaceCache, type ClientEvent, type InterfaceChange } from '../../src/client/index.js'
import { startDaemonProcess } from '../helpers/daemon-process.js'
import { nextMatching } from '../helpers/fake-daemon.js'
import { namespaceWithEns37 } from '../helpers/hosts.js'
import { assertProtocolMessage } from '../helpers/protocol-schema.js'
import { connectClient, waitForSocket } from '../helpers/socket-client.js'
import { socketPath } from '../helpers/temp-dir.js'

t.test('the library against the real daemon: discovery, changes, requests, removal, restart', async (t) => {
  const ns = await namespaceWithEns37(t, 'client')
  if (ns === undefined) return
  const socket = socketPath(t, 'client')
  const args = ['--socket', socket, '--debounce', '200']

  // The client starts first: it waits for the socket to appear.
  const client = connect({ socket, backoff: { initialMs: 50, maxMs: 500 } })
  t.teardown(() => client.close())
  const events = client[Symbol.asyncIterator]()
  const cache = new InterfaceCache()
  const parentChanges: InterfaceChange[] = []
  cache.onInterfaceChange('ens37', (change) => parentChanges.push(change))
  const until = async (match: (event: ClientEvent) => boolean): Promise<ClientEvent[]> => {
    const seen = await nextMatching(events, match, 15_000)
    for (const event of seen) cache.apply(event)
    return seen
  }

  let daemon = startDaemonProcess(t, ns, args)
  await until((event) => event.kind === 'discovery')
  t.match(cache.get('ens37'), { operstate: 'UP', ipv4_addresses: [{ address: '10.77.0.5', prefixlen: 24 }] })

  // A raw client next to the library: every line the daemon sends must match the schema.
  await waitForSocket(socket)
  const raw = await connectClient(socket)
  t.teardown(() => raw.close())
  raw.send({ command: 'get_status' })
  raw.send({ command: 'get_interfaces' })
  raw.send({ command: 'reboot' })

  const statusWhileChanging = client.request({ command: 'get_status' })
  await ns.ip('addr', 'add', '10.88.0.5/16', 'dev', 'ens37')
  const status = await statusWhileChanging
  t.match(status, { success: true, status: { ready: true } })
  await until((event) => event.kind === 'change' && event.event.data.ipv4_addresses.length === 2)
  t.equal(cache.interfaceFor('10.88.200.1')?.interface, 'ens37')
  const interfaces = await client.request({ command: 'get_interfaces' })
  t.match(interfaces, { success: true, interfaces: [{ interface: 'ens37' }] })
  t.match(await client.request({ command: 'reboot' }), { success: false, error: /Unknown command/ })

  await ns.ip('link', 'del', 'ens37')
  await until((event) => event.kind === 'change' && event.event.data.status === 'removed')
  t.equal(cache.get('ens37'), undefined)
  t.equal(cache.interfaceFor('10.77.0.9'), undefined)
  t.same(
    parentChanges.map((change) => change.kind),
    ['added', 'changed', 'removed'],
  )
  t.match(parentChanges.at(-1), { before: { interface: 'ens37' }, after: undefined, cause: { operstate: 'NOTPRESENT', status: 'removed' } })

  await raw.lines.waitForCount(6, 10_000)
  for (const line of raw.lines.lines) assertProtocolMessage(t, line)

  // Restart: the library reconnects and marks the new discovery as a resync.
  t.equal(await daemon.stop(), 0)
  await until((event) => event.kind === 'disconnected')
  await ns.addVeth('eth5')
  await ns.ip('addr', 'add', '192.168.50.2/24', 'dev', 'eth5')
  daemon = startDaemonProcess(t, ns, args)
  const back = await until((event) => event.kind === 'discovery')
  t.match(back.at(-1), { kind: 'discovery', resync: true })
  t.same(cache.all().map((report) => report.interface), ['eth5'])
  t.equal(cache.interfaceFor('192.168.50.77')?.interface, 'eth5')
  t.equal(await daemon.stop(), 0)
})
