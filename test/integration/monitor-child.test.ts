import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { startDaemonProcess } from '../helpers/daemon-process.js'
import { ipWrapper } from '../helpers/fake-ip.js'
import { namespaceWithInterfaces } from '../helpers/hosts.js'
import { cpuTicks, isRunning } from '../helpers/proc-stats.js'
import { DAEMON_ARGS, daemonWithClient } from '../helpers/served-socket.js'
import { connectClient, waitForSocket } from '../helpers/socket-client.js'
import { getStatus } from '../helpers/status.js'
import { socketPath } from '../helpers/temp-dir.js'
import { waitUntil } from '../helpers/wait.js'

/** Peak resident memory of a process, in bytes. */
const peakRss = (pid: number): number => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? Number.NaN) * 1024

const parentOf = (pid: number): number => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
}

/** An `ip` wrapper that runs `before(dir)` and then the real `ip monitor`; other commands go straight to `ip`. */
const monitorWrapper = (t: Test, label: string, before: (dir: string) => string[]): { wrapper: string; socket: string; dir: string } => {
  const made = ipWrapper(t, label, (dir) => ['if [ "$1" = monitor ]; then', ...before(dir), '  exec ip "$@"', 'fi', 'exec ip "$@"'].join('\n'))
  return { ...made, dir: join(made.socket, '..') }
}

const expectEventually = async (condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> => {
  if (!(await waitUntil(condition, timeoutMs, 50))) throw new Error(`timed out waiting for ${what}`)
}

t.test('30 MB without a newline from ip monitor costs little, is logged once, resyncs, and the daemon keeps serving', async (t) => {
  const ns = await namespaceWithInterfaces(t, 'long')
  if (ns === undefined) return
  // Once subscribed, a second writer on the monitor's stdout prints 30 MB without a newline.
  const { wrapper, socket, dir } = monitorWrapper(t, 'long', (dir) => [
    `  { while [ ! -e ${dir}/flood ]; do sleep 0.05; done; head -c 30000000 /dev/zero | tr '\\0' x; echo; touch ${dir}/flooded; } &`,
  ])
  const { daemon, client } = await daemonWithClient(t, ns, socket, ['--ip', wrapper, ...DAEMON_ARGS])
  const before = { cpu: cpuTicks(daemon.pid), resyncs: (await getStatus(client)).resyncs as number }
  writeFileSync(join(dir, 'flood'), '')
  await expectEventually(() => existsSync(join(dir, 'flooded')), 'the flood to be written', 60_000)
  await ns.ip('addr', 'add', '10.77.0.77/24', 'dev', 'ens1')
  const change = await client.lines.waitFor((line) => line.includes('10.77.0.77'), 15_000)
  t.match(JSON.parse(change), { type: 'network_change', data: { interface: 'ens1' } }, 'a change after the flood is reported')
  const cpuMs = (cpuTicks(daemon.pid) - before.cpu) * 10
  // Unbounded, this cost 12.8 s of CPU and 336 MB of RSS; bounded, a few hundred ms.
  t.ok(cpuMs < 4000, `daemon CPU for the 30 MB: ${cpuMs} ms`)
  t.ok(peakRss(daemon.pid) < 150 * 1024 * 1024, `daemon peak RSS: ${Math.round(peakRss(daemon.pid) / 1e6)} MB`)
  const dropped = daemon.stderr.lines.filter((line) => line.includes('printed a line of more than'))
  t.equal(dropped.length, 1, 'one clear log line')
  t.match(JSON.parse(dropped[0] ?? '{}'), { level: 'warn', msg: /ip monitor printed a line of more than 65536 bytes; dropped it up to its newline; resyncing/ })
  t.ok(((await getStatus(client)).resyncs as number) > before.resyncs, 'the lost record led to a resync')
})

t.test('20,000 stderr lines from ip monitor make a few log lines, and the daemon keeps serving', async (t) => {
  const ns = await namespaceWithInterfaces(t, 'noisy')
  if (ns === undefined) return
  const { wrapper, socket, dir } = monitorWrapper(t, 'noisy', (dir) => [
    `  { while [ ! -e ${dir}/flood ]; do sleep 0.05; done; i=0; while [ $i -lt 20000 ]; do echo "Warning: odd thing $i" >&2; i=$((i+1)); done; touch ${dir}/flooded; } &`,
  ])
  const { daemon, client } = await daemonWithClient(t, ns, socket, ['--ip', wrapper, ...DAEMON_ARGS])
  writeFileSync(join(dir, 'flood'), '')
  await expectEventually(() => existsSync(join(dir, 'flooded')), 'the flood to be written', 60_000)
  await ns.ip('addr', 'add', '10.77.0.77/24', 'dev', 'ens1')
  await client.lines.waitFor((line) => line.includes('10.77.0.77'), 15_000)
  const logged = (): string[] => daemon.stderr.lines.filter((line) => line.includes('Warning: odd thing'))
  const counted = (): number => logged().reduce((sum, line) => sum + Number(/ip monitor: (\d+) more like this/.exec(line)?.[1] ?? 1), 0)
  // The summary of the repeats comes at the end of the 10 s interval that began with the first.
  await expectEventually(() => counted() >= 20_000, 'every line counted: the first logged, the rest summarised', 40_000)
  t.equal(counted(), 20_000, 'every line counted once')
  t.ok(logged().length <= 5, `20,000 stderr lines made ${logged().length} log lines (${logged().join('').length} bytes)`)
})

t.test('a subscription later than the timeout: a change made in the gap is reported, at start-up and after a restart', async (t) => {
  const ns = await namespaceWithInterfaces(t, 'late')
  if (ns === undefined) return
  // Each start of the monitor waits for the test's go<N> file before it execs the real one.
  const { wrapper, socket, dir } = monitorWrapper(t, 'late', (dir) => [
    `  n=$(( $(cat ${dir}/starts 2>/dev/null || echo 0) + 1 )); echo $n > ${dir}/starts`,
    `  while [ ! -e ${dir}/go$n ]; do sleep 0.05; done`,
  ])
  // The discovery comes after the daemon's 3 s subscription timeout, from a snapshot taken
  // while the monitor is not yet subscribed.
  const { daemon, client } = await daemonWithClient(t, ns, socket, ['--ip', wrapper, ...DAEMON_ARGS])
  t.match(daemon.stderr.lines.join('\n'), /could not confirm the ip monitor subscription/)
  await ns.ip('addr', 'add', '10.77.0.77/24', 'dev', 'ens1')
  writeFileSync(join(dir, 'go1'), '')
  const first = await client.lines.waitFor((line) => line.includes('10.77.0.77'), 15_000)
  t.match(JSON.parse(first), { type: 'network_change', data: { interface: 'ens1' } }, 'the change made before the subscription, at start-up')
  t.match(daemon.stderr.lines.join('\n'), /ip monitor subscribed late; resyncing/)

  const monitorPid = (await getStatus(client)).monitor.pid
  const taken = (await getStatus(client)).snapshots_taken as number
  process.kill(monitorPid, 'SIGKILL')
  const unconfirmed = (): number => daemon.stderr.lines.filter((line) => line.includes('could not confirm the ip monitor subscription')).length
  await expectEventually(() => unconfirmed() === 2, 'the restarted monitor to time out')
  await expectEventually(async () => ((await getStatus(client)).snapshots_taken as number) > taken, 'the snapshot after the restart')
  await ns.ip('addr', 'add', '10.77.1.77/24', 'dev', 'ens2')
  writeFileSync(join(dir, 'go2'), '')
  const second = await client.lines.waitFor((line) => line.includes('10.77.1.77'), 15_000)
  t.match(JSON.parse(second), { type: 'network_change', data: { interface: 'ens2' } }, 'the change made before the subscription, after a restart')
})

t.test('a daemon killed with SIGKILL leaves no ip monitor behind (5 times)', async (t) => {
  const ns = await namespaceWithInterfaces(t, 'orph')
  if (ns === undefined) return
  const survivors: number[] = []
  for (let round = 1; round <= 5; round += 1) {
    const socket = socketPath(t, `orph${round}`)
    const daemon = startDaemonProcess(t, ns, ['--socket', socket, ...DAEMON_ARGS])
    await waitForSocket(socket, 15_000)
    const client = await connectClient(socket)
    t.teardown(() => client.close())
    await client.lines.waitForCount(1, 15_000)
    const monitorPid = (await getStatus(client)).monitor.pid
    t.equal(parentOf(monitorPid), daemon.pid, `round ${round}: pid ${monitorPid} is the daemon's ip monitor`)
    process.kill(daemon.pid, 'SIGKILL')
    await daemon.exited
    if (!(await waitUntil(() => !isRunning(monitorPid), 5000, 50))) survivors.push(monitorPid)
  }
  t.teardown(() => survivors.forEach((pid) => isRunning(pid) && process.kill(pid, 'SIGKILL')))
  t.same(survivors, [], 'no orphaned ip monitor')
})
