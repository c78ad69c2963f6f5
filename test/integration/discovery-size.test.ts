import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { execa } from 'execa'
import t from 'tap'
import { startDaemonProcess } from '../helpers/daemon-process.js'
import { namespaceWithEns37 } from '../helpers/hosts.js'
import { connectClient, waitForSocket, type SocketClient } from '../helpers/socket-client.js'
import { tempDir } from '../helpers/temp-dir.js'
import { sleep } from '../helpers/wait.js'

/** 700 addresses on ens37 make a discovery of about 70 KB: past asyncio's 64 KiB line limit. */
const CIDRS = Array.from({ length: 700 }, (_, i) => `10.${200 + Math.floor(i / 250)}.${i % 250}.1/24`)

t.test('the daemon warns once per crossing of 64 KiB by the discovery line, not once per client', async (t) => {
  const ns = await namespaceWithEns37(t, 'bigdisc')
  if (ns === undefined) return
  const dir = tempDir(t, 'bigdisc')
  const socket = join(dir, 'netmon.sock')
  const batch = (verb: 'add' | 'del'): Promise<unknown> => {
    const file = join(dir, `${verb}.batch`)
    writeFileSync(file, CIDRS.map((cidr) => `addr ${verb} ${cidr} dev ens37\n`).join(''))
    return execa('ip', ['-n', ns.name, '-batch', file])
  }
  const daemon = startDaemonProcess(t, ns, ['--socket', socket, '--debounce', '200'])
  await waitForSocket(socket)
  const clients: SocketClient[] = []
  t.teardown(() => clients.forEach((client) => client.close()))
  /** Connects a client and returns the length of its discovery line (newline not counted). */
  const discoveryBytes = async (): Promise<number> => {
    const client = await connectClient(socket)
    clients.push(client)
    return Buffer.byteLength(await client.lines.waitFor((line) => line.startsWith('{"type":"network_discovery"'), 30_000))
  }
  const warnings = (): string[] =>
    daemon.stderr.lines.filter((line) => line.includes('"level":"warn"') && line.includes('over 64 KiB'))
  const settle = (): Promise<void> => sleep(500)
  const watcher = await connectClient(socket)
  clients.push(watcher)
  await watcher.lines.waitFor((line) => line.startsWith('{"type":"network_discovery"'), 30_000)
  /** Changes the addresses and waits until the watcher hears ens37 with `count` of them. */
  const change = async (verb: 'add' | 'del', count: number): Promise<void> => {
    const mark = watcher.lines.lines.length
    await batch(verb)
    const isIt = (line: string): boolean => line.startsWith('{"type":"network_change"') && line.split('"address"').length - 1 === count
    await watcher.lines.waitFor(isIt, 30_000, mark)
  }

  t.ok((await discoveryBytes()) < 1000, 'small discovery')
  t.same(warnings(), [], 'no warning under the limit')

  await change('add', 701)
  const big = await discoveryBytes()
  t.ok(big > 65536, `a discovery of ${big} bytes`)
  const first = await daemon.stderr.waitFor((line) => line.includes('over 64 KiB'), 10_000)
  const logged = JSON.parse(first) as { level: string; msg: string; bytes: number; interfaces: number }
  t.match(logged, { level: 'warn', bytes: big, interfaces: 1 })
  t.match(logged.msg, /limit= on asyncio\.open_unix_connection/)
  await discoveryBytes()
  await discoveryBytes()
  await settle()
  t.equal(warnings().length, 1, 'three clients, one warning')
  const mark = watcher.lines.lines.length
  await ns.ip('addr', 'add', '10.250.0.1/24', 'dev', 'ens37')
  await watcher.lines.waitFor((line) => line.startsWith('{"type":"network_change"') && line.includes('"10.250.0.1"'), 30_000, mark)
  t.ok((await discoveryBytes()) > big, 'grown while over')
  await settle()
  t.equal(warnings().length, 1, 'still over after a change: no second warning')

  await change('del', 2)
  t.ok((await discoveryBytes()) < 1000, 'back under')
  await change('add', 702)
  await discoveryBytes()
  await daemon.stderr.waitFor((line) => line.includes('over 64 KiB'), 10_000, daemon.stderr.lines.indexOf(first) + 1)
  await discoveryBytes()
  await settle()
  t.equal(warnings().length, 2, 'over again after being under: one more warning')
  t.equal(await daemon.stop(), 0)
})
