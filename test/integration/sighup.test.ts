import { existsSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { startDaemonProcess } from '../helpers/daemon-process.js'
import { ipWrapper } from '../helpers/fake-ip.js'
import { namespaceWithEns37 } from '../helpers/hosts.js'
import { isRunning } from '../helpers/proc-stats.js'
import { daemonWithClient } from '../helpers/served-socket.js'
import { connectClient, eventLines } from '../helpers/socket-client.js'
import { getStatus } from '../helpers/status.js'
import { socketPath } from '../helpers/temp-dir.js'
import { waitUntil, sleep } from '../helpers/wait.js'

/*
 * What only a resync can find: the `ip monitor` child is frozen (SIGSTOP), so the daemon
 * hears nothing of a change made meanwhile, until SIGHUP makes it read the truth again.
 */
t.test('SIGHUP reads the truth again, reports what differs, and keeps serving', async (t) => {
  const ns = await namespaceWithEns37(t, 'hup')
  if (ns === undefined) return
  const socket = socketPath(t, 'hup')
  const { daemon, client } = await daemonWithClient(t, ns, socket, ['--debounce', '200', '--max-wait', '1000'])
  const before = await getStatus(client)
  const monitorPid = before.monitor.pid
  process.kill(monitorPid, 'SIGSTOP')
  t.teardown(() => {
    if (isRunning(monitorPid)) process.kill(monitorPid, 'SIGCONT')
  })

  await ns.ip('addr', 'add', '10.77.0.9/24', 'dev', 'ens37')
  await sleep(1500)
  t.same(eventLines(client).slice(1), [], 'with the monitor frozen, the change goes unseen')

  process.kill(daemon.pid, 'SIGHUP')
  const change = JSON.parse(await client.lines.waitFor((line) => line.includes('"network_change"'), 10_000)) as {
    data: { interface: string; ipv4_addresses: { address: string }[] }
  }
  t.equal(change.data.interface, 'ens37', 'SIGHUP: the difference is reported')
  t.same(
    change.data.ipv4_addresses.map((a) => a.address),
    ['10.77.0.5', '10.77.0.9'],
    'with the address the monitor never told of',
  )
  const after = await getStatus(client)
  t.equal(after.resyncs, (before.resyncs as number) + 1, 'one resync')
  t.ok((after.snapshots_taken as number) > (before.snapshots_taken as number), 'a fresh snapshot was read')
  t.match(
    daemon.stderr.lines.filter((line) => line.includes('"resync"')),
    [/"level":"info","msg":"resync","reason":"SIGHUP"/],
    'one log line says so',
  )

  // One at a time: the kernel merges a SIGHUP into one still pending.
  for (let hangup = 2; hangup <= 4; hangup += 1) {
    process.kill(daemon.pid, 'SIGHUP')
    const resynced = await waitUntil(async () => (await getStatus(client)).resyncs === (before.resyncs as number) + hangup, 10_000, 100)
    t.ok(resynced, `SIGHUP ${hangup}: a resync`)
  }
  await sleep(800)
  t.equal(eventLines(client).length, 2, 'nothing more differs: no event from the later SIGHUPs')
  t.ok(isRunning(daemon.pid), 'still running after four SIGHUPs')
  const late = await connectClient(socket)
  t.teardown(() => late.close())
  t.match(JSON.parse((await late.lines.waitForCount(1))[0] ?? ''), { type: 'network_discovery' }, 'and serving new clients')

  process.kill(monitorPid, 'SIGCONT')
  t.equal(await daemon.stop(5000), 0, 'SIGTERM still stops it, exit 0')
  t.notOk(existsSync(socket), 'socket file removed')
  t.notOk(isRunning(monitorPid), 'ip monitor stopped with it')
})

t.test('a SIGHUP while netmon is still starting does not kill it', async (t) => {
  const ns = await namespaceWithEns37(t, 'hupst')
  if (ns === undefined) return
  // The start-up check of ip (`ip -json link show`) says it was called, then takes 2 s.
  const { wrapper, socket } = ipWrapper(
    t,
    'hupst',
    (dir) => `if [ "$1 $2" = "-json link" ]; then : > ${join(dir, 'checking')}; sleep 2; fi\nexec ip "$@"`,
  )
  const daemon = startDaemonProcess(t, ns, ['--socket', socket, '--ip', wrapper, '--stdout'])
  t.ok(await waitUntil(() => existsSync(join(socket, '..', 'checking')), 15_000, 20), 'netmon is checking ip')
  process.kill(daemon.pid, 'SIGHUP')
  t.match(JSON.parse(await daemon.stdout.waitFor((line) => line.includes('network_discovery'), 15_000)), { type: 'network_discovery' }, 'it starts anyway')
  t.ok(existsSync(socket), 'and serves')
  t.equal(await daemon.stop(5000), 0, 'SIGTERM stops it, exit 0')
  t.notOk(existsSync(socket), 'socket file removed')
})
