import t from 'tap'
import { startDaemonProcess } from '../helpers/daemon-process.js'
import { namespaceWithEns37 } from '../helpers/hosts.js'
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
