import { execFileSync } from 'node:child_process'
import { readFileSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { checkIp, runIpJson } from '../../src/adapters/ip-command.js'
import { writeIpScript } from '../helpers/fake-ip.js'
import { tempDir } from '../helpers/temp-dir.js'

const fakeIp = (body: string): string => writeIpScript(tempDir(t, 'ipcmd'), body)

t.test('JSON out, parsed', async (t) => {
  t.same(await runIpJson(fakeIp(`echo '[{"ifname":"lo"}]'`), ['-json', 'link'], 2000), [{ ifname: 'lo' }])
})

t.test('with a launcher, ip runs under its prefix', async (t) => {
  const dir = tempDir(t, 'ipcmd-launch')
  const seen = join(dir, 'seen')
  const ip = writeIpScript(dir, `echo "$NETMON_LAUNCHED $*" > '${seen}'; echo '[]'`)
  await checkIp(ip, 2000, { kind: 'dies-with-parent', prefix: ['env', 'NETMON_LAUNCHED=by-prefix'] })
  t.equal(readFileSync(seen, 'utf8'), 'by-prefix -json link show\n', 'the prefix ran, then ip with its arguments')
  await checkIp(ip, 2000, { kind: 'plain', reason: 'none' })
  t.equal(readFileSync(seen, 'utf8'), ' -json link show\n', 'a plain launcher adds nothing')
})

t.test('every failure is one NetmonError that says what to do', async (t) => {
  await t.rejects(runIpJson('/nonexistent/ip', ['-json', 'addr'], 2000), {
    code: 'ERR_IP_NOT_FOUND',
    message: 'cannot run /nonexistent/ip (ENOENT): install iproute2 or pass --ip <path to ip>',
  })
  await t.rejects(checkIp(fakeIp(`echo "ip: invalid option -- 'j'" >&2; exit 1`)), {
    code: 'ERR_IP_NO_JSON',
    message: /failed \(exit code 1\): ip: invalid option -- 'j'; netmon needs an ip that takes -json .*: install iproute2 or pass --ip/,
  })
  await t.rejects(checkIp(fakeIp('echo "1: lo: <LOOPBACK> mtu 65536"')), { code: 'ERR_IP_NO_JSON', message: /BusyBox ip has no -json/ })
  await t.rejects(checkIp(fakeIp(`echo '{}'`)), { code: 'ERR_IP_NO_JSON', message: /did not print a JSON array/ })
  const started = Date.now()
  await t.rejects(runIpJson(fakeIp('exec sleep 30'), ['-json', 'addr'], 300), { code: 'ERR_IP_FAILED', message: /timed out after 300 ms/ })
  t.ok(Date.now() - started < 5000, 'killed at the timeout')
  await t.rejects(runIpJson(fakeIp('kill -TERM $$'), ['-json', 'addr'], 2000), { message: /signal SIGTERM/ })
})

const INSTALL_HINT = /^`.*ip -json link show` failed \(exit code 1\): BusyBox v[\d.]+ .*multi-call binary\.; netmon needs an ip that takes -json \(BusyBox ip does not\): install iproute2 or pass --ip <path to iproute2's ip>$/

t.test('BusyBox ip (exit 1 with its usage text on -json) gets the install-iproute2 hint', async (t) => {
  const usage = `echo 'BusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) multi-call binary.' >&2; echo >&2; echo 'Usage: ip [OPTIONS] address|route|link|tunnel|neigh|rule [ARGS]' >&2; exit 1`
  await t.rejects(checkIp(fakeIp(usage)), { code: 'ERR_IP_NO_JSON', message: INSTALL_HINT }, 'its recorded output')
  await t.rejects(checkIp(fakeIp(`echo 'Option "-json" is unknown, try "ip -help".' >&2; exit 255`)), {
    code: 'ERR_IP_NO_JSON',
    message: /Option "-json" is unknown.*install iproute2/,
  }, 'iproute2 before 4.14')
  await t.rejects(checkIp(fakeIp('exec sleep 30'), 300), { code: 'ERR_IP_FAILED', message: /timed out/ }, 'a hang is not blamed on BusyBox')
  let busybox: string
  try {
    busybox = execFileSync('sh', ['-c', 'command -v busybox'], { encoding: 'utf8' }).trim()
  } catch {
    t.skip('the real BusyBox: no busybox on PATH (apt-get install busybox)', () => {})
    return
  }
  const ip = join(tempDir(t, 'busybox'), 'ip')
  symlinkSync(busybox, ip)
  await t.rejects(checkIp(ip), { code: 'ERR_IP_NO_JSON', message: INSTALL_HINT }, 'the real BusyBox ip')
})

t.test('a dump that iproute2 calls interrupted is a failure, although ip exits 0', async (t) => {
  await t.rejects(runIpJson(fakeIp(`echo '[]'; echo 'Dump was interrupted and may be inconsistent.' >&2`), ['-json', 'addr', 'show'], 2000), {
    code: 'ERR_IP_FAILED',
    message: /`.*ip -json addr show`: dump was interrupted by a concurrent change and may be inconsistent; reading again/,
  })
  t.same(await runIpJson(fakeIp(`echo '[]'; echo 'some other warning' >&2`), ['-json', 'addr'], 2000), [], 'other stderr on success is no failure')
})
