import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { createLogger } from '../../src/adapters/logger.js'
import { notifyReady, runCommand } from '../../src/adapters/systemd-notify.js'
import { tempDir } from '../helpers/temp-dir.js'

/** A fake systemd-notify: records its arguments and NOTIFY_SOCKET, then runs `body`. */
const fakeNotify = (dir: string, body: string): { command: string; calls: string } => {
  const command = join(dir, 'systemd-notify')
  const calls = join(dir, 'calls')
  writeFileSync(command, `#!/bin/sh\necho "$* NOTIFY_SOCKET=$NOTIFY_SOCKET" >>'${calls}'\n${body}\n`)
  chmodSync(command, 0o755)
  return { command, calls }
}
const logs = (): { lines: string[]; logger: ReturnType<typeof createLogger> } => {
  const lines: string[] = []
  return { lines, logger: createLogger('debug', (line) => lines.push(line)) }
}

t.test('under systemd: runs systemd-notify --ready once and says so at debug level', async (t) => {
  const fake = fakeNotify(tempDir(t, 'notify'), 'exit 0')
  const { lines, logger } = logs()
  t.same(await notifyReady(logger, { NOTIFY_SOCKET: '/run/systemd/notify' }, undefined, fake.command), { type: 'notified' })
  t.equal(readFileSync(fake.calls, 'utf8'), '--ready NOTIFY_SOCKET=/run/systemd/notify\n')
  t.match(lines.join(''), /"level":"debug","msg":"told systemd that netmon is ready"/)
})

t.test('not under systemd (NOTIFY_SOCKET unset or empty): runs nothing, logs nothing', async (t) => {
  const fake = fakeNotify(tempDir(t, 'notify'), 'exit 0')
  const { lines, logger } = logs()
  t.same(await notifyReady(logger, {}, undefined, fake.command), { type: 'not-under-systemd' })
  t.same(await notifyReady(logger, { NOTIFY_SOCKET: '' }, undefined, fake.command), { type: 'not-under-systemd' })
  t.notOk(existsSync(fake.calls), 'systemd-notify was not run')
  t.same(lines, [])
})

t.test('a failing systemd-notify is logged as an error with its reason', async (t) => {
  const fake = fakeNotify(tempDir(t, 'notify'), 'echo "Failed to notify init system: Permission denied" >&2; exit 1')
  const { lines, logger } = logs()
  const outcome = await notifyReady(logger, { NOTIFY_SOCKET: '/run/systemd/notify' }, undefined, fake.command)
  t.same(outcome, { type: 'failed', error: 'exit code 1: Failed to notify init system: Permission denied' })
  t.match(lines.join(''), /"level":"error","msg":"[^"]*systemd-notify --ready failed \(systemd will time the start out\): exit code 1: Failed to notify/)
})

t.test('a missing systemd-notify is logged as an error naming ENOENT', async (t) => {
  const { lines, logger } = logs()
  const outcome = await notifyReady(logger, { NOTIFY_SOCKET: '/run/systemd/notify' }, undefined, join(tempDir(t, 'notify'), 'systemd-notify'))
  t.same(outcome, { type: 'failed', error: 'ENOENT' })
  t.match(lines.join(''), /"level":"error".*--ready failed.*ENOENT/)
})

t.test('a systemd-notify that hangs is killed at the timeout; of its stderr, the first line is kept', async (t) => {
  const hanging = fakeNotify(tempDir(t, 'notify'), 'echo "waiting for systemd" >&2; echo "still waiting" >&2; exec sleep 30')
  const started = Date.now()
  t.equal(await runCommand(hanging.command, ['--ready'], process.env, 200), 'timed out after 200 ms: waiting for systemd')
  t.ok(Date.now() - started < 10_000, 'not left to run its 30 s')
})
