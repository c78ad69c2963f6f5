import { execa } from 'execa'
import t from 'tap'
import { startDaemonProcess } from '../helpers/daemon-process.js'
import { INTERFACES, namespaceWithEns37, namespaceWithInterfaces } from '../helpers/hosts.js'
import { foldEvents, kernelView } from '../helpers/oracle.js'
import { seededRandom } from '../helpers/seeded-random.js'
import { DAEMON_ARGS, daemonWithClient } from '../helpers/served-socket.js'
import { expectSettled } from '../helpers/settled-daemon.js'
import { connectClient, waitForSocket } from '../helpers/socket-client.js'
import { getStatus } from '../helpers/status.js'
import { socketPath } from '../helpers/temp-dir.js'
import { sleep } from '../helpers/wait.js'

/** One random operation on the interfaces; failures (e.g. deleting what is gone) are part of the game. */
const randomOperation = (random: () => number): string[][] => {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T
  const position = Math.floor(random() * INTERFACES.length)
  const name = INTERFACES[position] as string
  const host = 2 + Math.floor(random() * 8)
  const choices: string[][][] = [
    [['addr', 'add', `10.77.${position}.${host}/24`, 'dev', name]],
    [['addr', 'del', `10.77.${position}.${host}/24`, 'dev', name]],
    [['addr', 'add', `10.99.${position}.${host}`, 'peer', `10.99.${position}.1`, 'dev', name]],
    [['addr', 'flush', 'dev', name]],
    [['route', 'replace', 'default', 'via', `10.77.${position}.1`, 'dev', name, 'metric', String(pick([10, 20, 30])), 'onlink']],
    [['route', 'del', 'default', 'dev', name]],
    [['link', 'set', name, 'down']],
    [['link', 'set', name, 'up']],
    [
      ['link', 'del', name],
      ['link', 'add', `vr${position}${host}`, 'type', 'veth', 'peer', 'name', name],
      ['link', 'set', `vr${position}${host}`, 'up'],
      ['link', 'set', name, 'up'],
    ],
  ]
  return pick(choices)
}

const SEEDS = (process.env.NETMON_ORACLE_SEEDS ?? '1,2,3').split(',').map(Number)

for (const seed of SEEDS) {
  t.test(`oracle: random sequence, seed ${seed} (replay with NETMON_ORACLE_SEEDS=${seed})`, async (t) => {
    const ns = await namespaceWithInterfaces(t, `orc${seed}`)
    if (ns === undefined) return
    const random = seededRandom(seed)
    const socket = socketPath(t, `orc${seed}`)
    const ops = Array.from({ length: 60 }, () => randomOperation(random))
    const apply = async (from: number, to: number): Promise<void> => {
      for (const op of ops.slice(from, to)) {
        for (const command of op) await execa('ip', ['-n', ns.name, ...command], { reject: false })
        if (random() < 0.5) await sleep(Math.floor(random() * 120))
      }
    }
    // The daemon starts in the middle of a burst.
    const burst = apply(0, 15)
    const daemon = startDaemonProcess(t, ns, ['--socket', socket, ...DAEMON_ARGS])
    await burst
    await waitForSocket(socket)
    const client = await connectClient(socket)
    t.teardown(() => client.close())
    await apply(15, 30)
    // kill -9 the ip monitor child: its restart must resync.
    const { monitor } = await getStatus(client)
    process.kill(monitor.pid, 'SIGKILL')
    await apply(30, 45)
    // Other clients come and go meanwhile.
    const visitors = await Promise.all([connectClient(socket), connectClient(socket), connectClient(socket)])
    await apply(45, 60)
    visitors.forEach((visitor) => visitor.close())
    await expectSettled(t, ns, client, `seed ${seed}`)
    const late = await connectClient(socket)
    t.teardown(() => late.close())
    await late.lines.waitForCount(1)
    t.same(foldEvents(late.lines.lines), await kernelView(ns), `seed ${seed}: a late client's discovery equals the kernel's view`)
    t.match(await getStatus(client), { monitor: { restarts: 1 } }, 'the killed monitor was restarted once')
    t.match(daemon.stderr.lines.join('\n'), /ip monitor exited; restarting/)
  })
}


t.test('oracle: a default route added as 0.0.0.0/0 is listed as "default"; the oracle and the daemon both report its gateway', async (t) => {
  const ns = await namespaceWithEns37(t, 'orcdef')
  if (ns === undefined) return
  await ns.ip('route', 'add', '0.0.0.0/0', 'via', '10.77.0.1', 'dev', 'ens37', 'metric', '7')
  const listed = JSON.parse(await ns.ip('-4', '-json', 'route', 'show', 'table', 'main', 'default')) as { dst: string }[]
  t.same(listed.map((route) => route.dst), ['default'], 'the kernel sends no destination for a zero-length prefix')
  const kernel = await kernelView(ns)
  t.equal(kernel.ens37?.gateway, '10.77.0.1', 'the oracle reads the gateway')
  const { client } = await daemonWithClient(t, ns, socketPath(t, 'orcdef'), DAEMON_ARGS)
  t.same(foldEvents(client.lines.lines), kernel, "the daemon's discovery equals the oracle's view")
})
