import t from 'tap'
import { createNamespace } from '../helpers/netns.js'
import { DAEMON_ARGS, daemonWithClient } from '../helpers/served-socket.js'
import { socketPath } from '../helpers/temp-dir.js'

t.test('default routes through interfaces named `table` and `pref` are reported', async (t) => {
  const ns = await createNamespace(t, 'kwd')
  if (ns === undefined) return
  for (const [position, name] of ['table', 'pref'].entries()) {
    await ns.addVeth(name)
    await ns.ip('addr', 'add', `10.78.${position}.5/24`, 'dev', name)
  }
  const { client } = await daemonWithClient(t, ns, socketPath(t, 'kwd'), DAEMON_ARGS)
  const gatewayOf = async (name: string, gateway: string | null): Promise<void> => {
    const line = await client.lines.waitFor((candidate) => {
      if (!candidate.startsWith('{"type":"network_change"')) return false
      const { data } = JSON.parse(candidate) as { data: { interface: string; gateway: string | null } }
      return data.interface === name && data.gateway === gateway
    }, 15_000)
    t.ok(line, `${name}: gateway ${String(gateway)} reported`)
  }
  // `ip monitor` prints `default via 10.78.0.1 dev table metric 10`: `table` is the device.
  await ns.ip('route', 'add', 'default', 'via', '10.78.0.1', 'dev', 'table', 'metric', '10')
  await gatewayOf('table', '10.78.0.1')
  // `... dev pref metric 20`: an IPv4 route, although `pref` is a word of IPv6 records.
  await ns.ip('route', 'add', 'default', 'via', '10.78.1.1', 'dev', 'pref', 'metric', '20')
  await gatewayOf('pref', '10.78.1.1')
  await ns.ip('route', 'replace', 'default', 'via', '10.78.0.2', 'dev', 'table', 'metric', '10')
  await gatewayOf('table', '10.78.0.2')
  await ns.ip('route', 'del', 'default', 'via', '10.78.1.1', 'dev', 'pref', 'metric', '20')
  await gatewayOf('pref', null)
})
