import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { closeSync, openSync } from 'node:fs'
import t from 'tap'
import { NETMON_BIN, startDaemonProcess } from '../helpers/daemon-process.js'
import { namespaceWithEns37 } from '../helpers/hosts.js'
import { createNamespace } from '../helpers/netns.js'
import { connectClient } from '../helpers/socket-client.js'
import { socketPath } from '../helpers/temp-dir.js'

t.test('discovery then one change on --stdout, in a fresh namespace', async (t) => {
  const ns = await namespaceWithEns37(t, 'smoke')
  if (ns === undefined) return
  const daemon = startDaemonProcess(t, ns, ['--stdout', '--socket', socketPath(t, 'smoke'), '--debounce', '200'])
  const [discovery] = await daemon.stdout.waitForCount(1)
  t.match(JSON.parse(discovery ?? ''), {
    type: 'network_discovery',
    data: { interfaces: [{ interface: 'ens37', operstate: 'UP', gateway: null }] },
  })
  await ns.ip('route', 'add', 'default', 'via', '10.77.0.1', 'dev', 'ens37')
  const [, change] = await daemon.stdout.waitForCount(2)
  t.match(JSON.parse(change ?? ''), { type: 'network_change', data: { interface: 'ens37', gateway: '10.77.0.1' } })
  t.equal(await daemon.stop(), 0)
})

t.test('a --stdout reader that goes away does not stop netmon: its socket clients still hear the changes', async (t) => {
  const ns = await namespaceWithEns37(t, 'epipe')
  if (ns === undefined) return
  const socket = socketPath(t, 'epipe')
  const daemon = startDaemonProcess(t, ns, ['--stdout', '--socket', socket, '--debounce', '200'])
  await daemon.stdout.waitForCount(1)
  daemon.exited.stdout?.destroy()
  const client = await connectClient(socket)
  t.teardown(() => client.close())
  await client.lines.waitFor((line) => line.includes('"network_discovery"'))
  await ns.ip('route', 'add', 'default', 'via', '10.77.0.1', 'dev', 'ens37')
  const change = await client.lines.waitFor((line) => line.includes('"network_change"'))
  t.match(JSON.parse(change), { data: { interface: 'ens37', gateway: '10.77.0.1' } }, 'the change whose stdout write meets EPIPE')
  // The EPIPE is reported after that write returns: only a later change shows netmon outlived it.
  await ns.ip('route', 'del', 'default')
  const later = await client.lines.waitFor((line) => line.includes('"network_change"'), 10_000, client.lines.lines.indexOf(change) + 1)
  t.match(JSON.parse(later), { data: { interface: 'ens37', gateway: null } }, 'a later change reaches the client too')
  t.equal(await daemon.stop(), 0, 'and netmon stops cleanly')
})

t.test('a --stdout that fails otherwise (a full disk) stops netmon with the error, not silently', async (t) => {
  const ns = await createNamespace(t, 'enospc')
  if (ns === undefined) return
  const full = openSync('/dev/full', 'w')
  t.teardown(() => closeSync(full))
  // The descriptor itself, not a pipe the test would copy from: netmon's own write must fail.
  const child = spawn('ip', ['netns', 'exec', ns.name, process.execPath, NETMON_BIN, '--stdout', '--no-socket'], {
    stdio: ['ignore', full, 'pipe'],
    timeout: 20_000,
    killSignal: 'SIGKILL',
  })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null]
  t.equal(signal, null, 'netmon exits by itself')
  t.not(code, 0)
  t.match(stderr, /ENOSPC/)
})
