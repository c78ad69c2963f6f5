import t from 'tap'
import { checkIp, runIpJson } from '../../src/adapters/ip-command.js'
import { writeIpScript } from '../helpers/fake-ip.js'
import { tempDir } from '../helpers/temp-dir.js'

const fakeIp = (body: string): string => writeIpScript(tempDir(t, 'ipcmd'), body)

t.test('JSON out, parsed', async (t) => {
  t.same(await runIpJson(fakeIp(`echo '[{"ifname":"lo"}]'`), ['-json', 'link'], 2000), [{ ifname: 'lo' }])
})

t.test('every failure is one NetmonError that says what to do', async (t) => {
  await t.rejects(runIpJson('/nonexistent/ip', ['-json', 'addr'], 2000), {
    code: 'ERR_IP_NOT_FOUND',
    message: 'cannot run /nonexistent/ip (ENOENT): install iproute2 or pass --ip <path to ip>',
  })
  await t.rejects(checkIp(fakeIp(`echo "ip: invalid option -- 'j'" >&2; exit 1`)), {
    code: 'ERR_IP_FAILED',
    message: /failed \(exit code 1\): ip: invalid option -- 'j'/,
  })
  await t.rejects(checkIp(fakeIp('echo "1: lo: <LOOPBACK> mtu 65536"')), { code: 'ERR_IP_NO_JSON', message: /BusyBox ip has no -json/ })
  await t.rejects(checkIp(fakeIp(`echo '{}'`)), { code: 'ERR_IP_NO_JSON', message: /did not print a JSON array/ })
  const started = Date.now()
  await t.rejects(runIpJson(fakeIp('exec sleep 30'), ['-json', 'addr'], 300), { code: 'ERR_IP_FAILED', message: /timed out after 300 ms/ })
  t.ok(Date.now() - started < 5000, 'killed at the timeout')
  await t.rejects(runIpJson(fakeIp('kill -TERM $$'), ['-json', 'addr'], 2000), { message: /signal SIGTERM/ })
})

t.test('a dump that iproute2 calls interrupted is a failure, although ip exits 0', async (t) => {
  await t.rejects(runIpJson(fakeIp(`echo '[]'; echo 'Dump was interrupted and may be inconsistent.' >&2`), ['-json', 'addr', 'show'], 2000), {
    code: 'ERR_IP_FAILED',
    message: /`.*ip -json addr show`: dump was interrupted by a concurrent change and may be inconsistent; reading again/,
  })
  t.same(await runIpJson(fakeIp(`echo '[]'; echo 'some other warning' >&2`), ['-json', 'addr'], 2000), [], 'other stderr on success is no failure')
})
