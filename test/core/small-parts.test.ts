import { backoffDelay } from '../../src/core/backoff.js'
import t from 'tap'
import { compileIgnore, DEFAULT_IGNORE } from '../../src/core/ignore.js'
import { contains, formatIpv4, networkOf, parseIpv4 } from '../../src/core/ipv4.js'
import { classifyMonitorStderr, stderrKind } from '../../src/core/monitor-stderr.js'
import { isSubscribed, parseNetlinkTable } from '../../src/core/netlink-table.js'
import { encodeLine, formatTimestamp } from '../../src/core/protocol.js'
import { HEALTHY_RUN_MS, nextRestart } from '../../src/core/restart-policy.js'
import { messageOf, unreachable } from '../../src/core/result.js'

t.test('ipv4 arithmetic', async (t) => {
  t.same(parseIpv4('192.168.1.50'), { ok: true, value: 3232235826 })
  t.match(parseIpv4('192.168.1'), { ok: false })
  t.match(parseIpv4('256.1.1.1'), { ok: false })
  t.equal(formatIpv4(networkOf(3232235826, 24)), '192.168.1.0')
  t.equal(formatIpv4(networkOf(3232235826, 0)), '0.0.0.0')
  t.equal(formatIpv4(networkOf(3232235826, 32)), '192.168.1.50')
  t.equal(contains(networkOf(3232235826, 24), 24, 3232235777), true)
})

t.test('ignore globs', async (t) => {
  const ignored = compileIgnore([...DEFAULT_IGNORE, 'br-*', '', 'tap?'])
  for (const name of ['lo', 'docker0', 'veth1234', 'br-abc', 'tap0']) t.equal(ignored(name), true, name)
  for (const name of ['ens37', 'lo0', 'docker1', 'eth0', 'tap10', 'my.veth']) t.equal(ignored(name), false, name)
})

t.test('timestamps: local time, microseconds, no zone', async (t) => {
  const at = Date.UTC(2025, 10, 20, 20, 30, 45, 123) + 0.456
  t.equal(formatTimestamp(at), '2025-11-20T20:30:45.123456', 'tests run with TZ=UTC')
  t.match(formatTimestamp(Date.UTC(2025, 0, 1)), /^2025-01-01T00:00:00\.000000$/)
  t.equal(encodeLine({ a: 1 }), '{"a":1}\n')
})

t.test('netlink table', async (t) => {
  const table = parseNetlinkTable(
    [
      'sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    Drops    Inode',
      '0000000000000000 0   4321       00000551 0        0        0     2        0        100',
      '0000000000000000 0   4322       00000000 0        0        0     2        3        101',
      '0000000000000000 4   4323       00000551 0        0        0     2        0        102',
      'short row',
    ].join('\n'),
  )
  t.equal(table.length, 3)
  t.equal(isSubscribed(table, 4321), true)
  t.equal(isSubscribed(table, 4322), false, 'not subscribed to any group yet')
  t.equal(isSubscribed(table, 4323), false, 'not rtnetlink')
  t.equal(table[1]?.drops, 3)
})

t.test('unreachable throws with the value', async (t) => {
  t.throws(() => unreachable('x' as never), /unhandled case "x"/)
})

t.test('a caught value as the text of an error line: an Error by its message, anything else as a string', async (t) => {
  t.equal(messageOf(new TypeError('bad file')), 'bad file', 'the message alone, without the class name')
  t.equal(messageOf('ENOENT'), 'ENOENT')
  t.equal(messageOf(42), '42')
  t.equal(messageOf(undefined), 'undefined')
})

t.test('backoff doubles from its first delay up to its cap', async (t) => {
  t.same([0, 1, 2, 5, 6, 10].map((attempt) => backoffDelay(attempt, { initialMs: 100, maxMs: 5000 })), [100, 200, 400, 3200, 5000, 5000])
})

t.test('ip monitor stderr: overruns resync, a half-made namespace is harmless, the rest is a warning', async (t) => {
  t.same(classifyMonitorStderr('netlink receive error No buffer space available (105)'), { kind: 'overrun' })
  t.same(classifyMonitorStderr('Error: Peer netns reference is invalid.'), { kind: 'namespace-race' })
  t.same(classifyMonitorStderr('Cannot open netlink socket: Protocol not supported'), { kind: 'other' })
  t.same(classifyMonitorStderr('  '), { kind: 'blank' })
})

t.test('ip monitor stderr: lines that differ only in their numbers are one kind; trimmed, cut at 200', async (t) => {
  const cases: [line: string, kind: string][] = [
    ['  netlink receive error No buffer space available (105)\n', 'overrun:netlink receive error No buffer space available (#)'],
    ['Error: 12 of 3456 failed', 'other:Error: # of # failed'],
    [`x${'9'.repeat(300)}`, 'other:x#'],
    [`${'a '.repeat(150)}`, `other:${'a '.repeat(100)}`],
  ]
  for (const [line, kind] of cases) t.equal(stderrKind(classifyMonitorStderr(line), line), kind, line.slice(0, 40))
  t.equal(stderrKind({ kind: 'other' }, 'Error 7'), stderrKind({ kind: 'other' }, 'Error 8'))
})

t.test('restarts: at once after a healthy run, then doubling from 100 ms up to the cap', async (t) => {
  const delays: number[] = []
  let failuresInRow = 0
  for (let exit = 0; exit < 6; exit += 1) {
    const restart = nextRestart(failuresInRow, 50, 400)
    failuresInRow = restart.failuresInRow
    delays.push(restart.delayMs)
  }
  t.same(delays, [0, 100, 200, 400, 400, 400])
  t.same(nextRestart(failuresInRow, HEALTHY_RUN_MS, 400), { failuresInRow: 1, delayMs: 0 }, 'a healthy run starts over')
})

t.test('netlink table: rows are read by column, whatever their indentation; short or unreadable rows are skipped', async (t) => {
  const header = 'sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    Drops    Inode'
  const table = parseNetlinkTable(
    [
      header,
      '   0000000000000000 0   4321       00000551 0        0        0     2        0        100',
      '0000000000000000 0   4322       00000551 0        0        0     2        0',
      '0000000000000000 0   4323       00000551',
      '0000000000000000 0   4324       zz 0        0        0     2        0        100',
      '0000000000000000 0   pid       00000551 0        0        0     2        0        100',
    ].join('\n'),
  )
  t.same(table.map((socket) => socket.portId), [4321, 4322], 'indented and nine-column rows are read; short, bad-group and bad-pid rows are not')
  const row = '0000000000000000 0   4321       00000551 0        0        0     2        0        100'
  t.same(parseNetlinkTable([row, row.replace('4321', '4322')].join('\n')), [{ protocol: 0, portId: 4322, groups: 0x551, drops: 0 }], 'the first line is the header, whatever it holds')
})

t.test('ipv4: every octet up to 255, and a message naming the bad text', async (t) => {
  t.same(parseIpv4('240.249.200.199'), { ok: true, value: (240 * 2 ** 24) + (249 << 16) + (200 << 8) + 199 })
  t.same(parseIpv4('10.0.0.256'), { ok: false, error: 'not an IPv4 address: "10.0.0.256"' })
  t.equal(contains(networkOf(parseIpv4('10.1.0.0').ok ? 0x0a010000 : 0, 16), 16, 0x0a020001), false, 'outside the /16')
})

t.test('the default core options are the documented ones', async (t) => {
  const { DEFAULT_CORE_OPTIONS } = await import('../../src/core/state.js')
  t.same(DEFAULT_CORE_OPTIONS, { debounceMs: 3000, maxWaitMs: 10_000, ignore: [], acceptUnknownOperstate: false })
})
