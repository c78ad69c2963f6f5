import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { createSnapshotReader, wirelessLinks } from '../../src/adapters/ip-snapshot.js'
import { writeIpScript } from '../helpers/fake-ip.js'
import { createNamespace } from '../helpers/netns.js'
import { tempDir } from '../helpers/temp-dir.js'

const scratch = (): string => tempDir(t, 'snap')

t.test('wireless links are those with wireless/ or phy80211 in sysfs', async (t) => {
  const sysfs = scratch()
  mkdirSync(join(sysfs, 'radio0', 'wireless'), { recursive: true })
  mkdirSync(join(sysfs, 'radio1', 'phy80211'), { recursive: true })
  mkdirSync(join(sysfs, 'eth0'), { recursive: true })
  t.same(wirelessLinks(['radio0', 'radio1', 'eth0', 'missing'], sysfs), ['radio0', 'radio1'])
})

t.test('the reader runs ip -json for addresses and main-table IPv4 default routes, and marks wireless links', async (t) => {
  const dir = scratch()
  const sysfs = join(dir, 'net')
  mkdirSync(join(sysfs, 'radio0', 'wireless'), { recursive: true })
  const fakeIp = writeIpScript(
    dir,
    [
      `echo "$@" >> ${join(dir, 'calls')}`,
      'case "$*" in',
      `  "-json addr show") echo '[{"ifindex":2,"ifname":"radio0"},{"ifindex":3,"ifname":"eth0"}]' ;;`,
      `  "-4 -json route show table main default") echo '[]' ;;`,
      '  *) exit 1 ;;',
      'esac',
    ].join('\n'),
  )
  const read = createSnapshotReader({ ipPath: fakeIp, timeoutMs: 5000, sysfsNet: sysfs })
  const first = await read()
  t.same(first.wireless, ['radio0'])
  t.same(first.route, [])
  rmSync(join(sysfs, 'radio0', 'wireless'), { recursive: true })
  t.same((await read()).wireless, ['radio0'], 'remembered while the link (same index and name) exists')
})

t.test('a dump interrupted by a change fails the read, so it is read again', async (t) => {
  const fakeIp = writeIpScript(
    scratch(),
    `echo '[]'; [ "$2" = addr ] || [ "$3" = route ] && echo 'Dump was interrupted and may be inconsistent.' >&2; exit 0`,
  )
  const read = createSnapshotReader({ ipPath: fakeIp, timeoutMs: 5000, sysfsNet: scratch() })
  await t.rejects(read(), { code: 'ERR_IP_FAILED', message: /dump was interrupted by a concurrent change and may be inconsistent; reading again/ })
})

t.test('only default routes are read, and multipath defaults come whole', async (t) => {
  const ns = await createNamespace(t, 'snaproutes')
  if (ns === undefined) return
  await ns.addVeth('ens1')
  await ns.addVeth('ens2')
  await ns.ip('addr', 'add', '10.79.0.5/24', 'dev', 'ens1')
  await ns.ip('addr', 'add', '10.79.1.5/24', 'dev', 'ens2')
  await ns.ip('route', 'add', '10.80.0.0/16', 'via', '10.79.0.1')
  await ns.ip('route', 'add', 'default', 'via', '10.79.0.1', 'dev', 'ens1', 'metric', '10')
  await ns.ip('route', 'add', 'default', 'metric', '20', 'nexthop', 'via', '10.79.0.1', 'dev', 'ens1', 'nexthop', 'via', '10.79.1.1', 'dev', 'ens2')
  await ns.ip('route', 'add', 'default', 'via', '10.79.1.1', 'table', '100')
  const dir = scratch()
  const wrapper = writeIpScript(dir, `exec ip -n ${ns.name} "$@"`)
  const { route } = await createSnapshotReader({ ipPath: wrapper, timeoutMs: 5000, sysfsNet: dir })()
  t.match(route, [
    { dst: 'default', gateway: '10.79.0.1', dev: 'ens1', metric: 10 },
    { dst: 'default', metric: 20, nexthops: [{ gateway: '10.79.0.1', dev: 'ens1' }, { gateway: '10.79.1.1', dev: 'ens2' }] },
  ])
  t.equal((route as unknown[]).length, 2, 'no prefix route, nothing from table 100')
})

t.test('odd JSON from ip does not break the wireless lookup: nameless entries are skipped, an index is optional', async (t) => {
  const dir = scratch()
  const sysfs = join(dir, 'net')
  mkdirSync(join(sysfs, 'radio0', 'wireless'), { recursive: true })
  const answer = join(dir, 'answer')
  const fakeIp = writeIpScript(dir, `case "$*" in *addr*) cat ${answer} ;; *) echo '[]' ;; esac`)
  const read = createSnapshotReader({ ipPath: fakeIp, timeoutMs: 5000, sysfsNet: sysfs })
  writeFileSync(answer, '[{"ifname":"radio0"},{"ifindex":3},{"ifindex":4,"ifname":7},"radio0",null]')
  const odd = await read()
  t.same(odd.wireless, ['radio0'], 'found by name alone')
  t.same(odd.addr, [{ ifname: 'radio0' }, { ifindex: 3 }, { ifindex: 4, ifname: 7 }, 'radio0', null], 'the JSON is passed on as it is, for the core to judge')
  writeFileSync(answer, '{"not":"a list"}')
  t.same((await read()).wireless, [], 'not a list: no links')
})
