import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { createSnapshotReader, wirelessLinks } from '../../src/adapters/ip-snapshot.js'
import { writeIpScript } from '../helpers/fake-ip.js'
import { tempDir } from '../helpers/temp-dir.js'

const scratch = (): string => tempDir(t, 'snap')

t.test('wireless links are those with wireless/ or phy80211 in sysfs', async (t) => {
  const sysfs = scratch()
  mkdirSync(join(sysfs, 'radio0', 'wireless'), { recursive: true })
  mkdirSync(join(sysfs, 'radio1', 'phy80211'), { recursive: true })
  mkdirSync(join(sysfs, 'eth0'), { recursive: true })
  t.same(wirelessLinks(['radio0', 'radio1', 'eth0', 'missing'], sysfs), ['radio0', 'radio1'])
})

t.test('the reader runs ip -json for addresses and main-table IPv4 routes, and marks wireless links', async (t) => {
  const dir = scratch()
  const sysfs = join(dir, 'net')
  mkdirSync(join(sysfs, 'radio0', 'wireless'), { recursive: true })
  const fakeIp = writeIpScript(
    dir,
    [
      `echo "$@" >> ${join(dir, 'calls')}`,
      'case "$*" in',
      `  "-json addr show") echo '[{"ifindex":2,"ifname":"radio0"},{"ifindex":3,"ifname":"eth0"}]' ;;`,
      `  "-4 -json route show table main") echo '[]' ;;`,
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
