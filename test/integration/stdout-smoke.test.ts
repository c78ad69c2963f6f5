import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { startDaemonProcess } from '../helpers/daemon-process.js'
import { createNamespace } from '../helpers/netns.js'

t.test('discovery then one change on --stdout, in a fresh namespace', async (t) => {
  const ns = await createNamespace(t, 'smoke')
  if (ns === undefined) return
  await ns.addVeth('ens37')
  await ns.ip('addr', 'add', '10.77.0.5/24', 'dev', 'ens37')
  const dir = mkdtempSync(join(tmpdir(), 'nm-smoke-'))
  const daemon = startDaemonProcess(t, ns, ['--stdout', '--socket', join(dir, 'netmon.sock'), '--debounce', '200'])
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
