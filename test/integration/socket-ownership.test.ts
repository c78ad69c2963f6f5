import { execFile } from 'node:child_process'
import { existsSync, readdirSync, readlinkSync, statSync, unlinkSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { startDaemonProcess } from '../helpers/daemon-process.js'
import { createNamespace } from '../helpers/netns.js'
import { daemonWithClient } from '../helpers/served-socket.js'
import { slow } from '../helpers/slow.js'
import { parseLine, connectClient, waitForSocket } from '../helpers/socket-client.js'
import { getStatus } from '../helpers/status.js'
import { tempDir } from '../helpers/temp-dir.js'
import { sleep } from '../helpers/wait.js'

// Who owns a socket path: one netmon at a time, and a daemon removes only its own file.

const run = promisify(execFile)

/** Leaves a socket file nobody listens on at each path, as a crash does. */
const staleSockets = (paths: string[]): Promise<unknown> =>
  run('python3', ['-c', 'import socket,sys\nfor p in sys.argv[1:]: socket.socket(socket.AF_UNIX).bind(p)', ...paths])

t.test('200 pairs started at once on a stale socket: exactly one of each pair serves', slow(), async (t) => {
  const ns = await createNamespace(t, 'race')
  if (ns === undefined) return
  const dir = tempDir(t, 'race')
  const PAIRS = Number(process.env.NETMON_RACE_PAIRS ?? 200)
  const BATCH = 10
  const paths = Array.from({ length: PAIRS }, (_, index) => join(dir, `p${index}.sock`))
  await staleSockets(paths)
  let bothServed = 0
  for (let first = 0; first < PAIRS; first += BATCH) {
    const outcomes = await Promise.all(
      paths.slice(first, first + BATCH).map(async (socket) => {
        const pair = [startDaemonProcess(t, ns, ['--socket', socket]), startDaemonProcess(t, ns, ['--socket', socket])]
        // Each shows which it is: it logs "listening", or it exits 1 (refused).
        const outcomes = await Promise.all(
          pair.map((daemon) =>
            Promise.race([
              daemon.stderr.waitFor((line) => line.includes('"listening"'), 90_000).then(() => 'serving' as const),
              daemon.exited.then((result) => (result.exitCode === 1 ? ('refused' as const) : ('crashed' as const))),
            ]).catch(() => 'silent' as const),
          ),
        )
        // A loser that listened before exiting would also be a bug: give it a moment.
        await sleep(200)
        const winners = pair.filter((daemon, index) => outcomes[index] === 'serving' && daemon.exited.exitCode === null).length
        const losers = outcomes.filter((outcome) => outcome === 'refused').length
        let answered = false
        if (winners === 1) {
          const client = await connectClient(socket)
          answered = parseLine((await client.lines.waitForCount(1, 30_000))[0]).type === 'network_discovery'
          client.close()
        }
        await Promise.all(pair.map((daemon) => daemon.stop(2000)))
        return { winners, losers, answered, left: existsSync(socket), logs: pair.map((daemon) => daemon.stderr.lines.join(' | ')) }
      }),
    )
    for (const outcome of outcomes) {
      if (outcome.winners !== 1 || outcome.losers !== 1 || !outcome.answered || outcome.left) {
        bothServed += 1
        t.fail('a pair did not end with exactly one serving netmon', outcome)
      }
    }
  }
  t.equal(bothServed, 0, `${PAIRS} pairs: one winner each, the other exits 1, the socket removed on stop`)
})

t.test('a daemon whose path was taken over leaves the other socket alone', async (t) => {
  const ns = await createNamespace(t, 'take')
  if (ns === undefined) return
  const socket = join(tempDir(t, 'take'), 'netmon.sock')
  const first = startDaemonProcess(t, ns, ['--socket', socket])
  await waitForSocket(socket)
  // Someone removes its file and puts another socket there (an admin, another program).
  unlinkSync(socket)
  await staleSockets([socket])
  const theirs = statSync(socket).ino
  t.equal(await first.stop(5000), 0)
  t.ok(existsSync(socket), 'the other socket file is still there')
  t.equal(statSync(socket).ino, theirs, 'and it is the same file')
  t.match(first.stderr.lines.join('\n'), /the socket file is no longer ours/)
})

t.test('a SIGKILLed daemon never blocks the next start; the lock is not inherited by ip', async (t) => {
  const ns = await createNamespace(t, 'kill')
  if (ns === undefined) return
  const socket = join(tempDir(t, 'kill'), 'netmon.sock')
  const { daemon: killed, client } = await daemonWithClient(t, ns, socket)
  const monitorPid = (await getStatus(client)).monitor.pid
  const fds = readdirSync(`/proc/${monitorPid}/fd`).map((fd) => {
    try {
      return readlinkSync(`/proc/${monitorPid}/fd/${fd}`)
    } catch {
      return ''
    }
  })
  t.notOk(fds.some((target) => target.endsWith('.lock')), 'ip monitor does not hold the lock file')
  process.kill(killed.pid, 'SIGKILL')
  await killed.exited
  t.ok(existsSync(socket) && existsSync(`${socket}.lock`), 'a stale socket and lock file are left')
  const next = startDaemonProcess(t, ns, ['--socket', socket])
  await waitForSocket(socket, 20_000)
  const fresh = await connectClient(socket)
  t.match(parseLine((await fresh.lines.waitForCount(1))[0]), { type: 'network_discovery' }, 'the next one serves')
  fresh.close()
  t.equal(await next.stop(5000), 0)
})
