import t from 'tap'
import { checkSocketPath, MAX_SOCKET_PATH_BYTES } from '../../src/adapters/socket-path.js'

t.test('an absolute path that fits sun_path is taken as it is', async (t) => {
  const longest = `/${'x'.repeat(MAX_SOCKET_PATH_BYTES - 1)}`
  t.same(checkSocketPath('/run/netmon/netmon.sock'), { ok: true, value: '/run/netmon/netmon.sock' })
  t.same(checkSocketPath(longest), { ok: true, value: longest }, '107 bytes')
})

t.test('empty, NUL, relative and too long are refused, each saying why', async (t) => {
  t.same(checkSocketPath(''), { ok: false, error: 'expected a socket file path, got ""' })
  t.same(checkSocketPath('/run/a\0b'), { ok: false, error: 'expected a socket file path, got "/run/a\\u0000b"' })
  t.same(checkSocketPath('47123'), { ok: false, error: 'socket path "47123" is not absolute' }, 'Node would take it for a TCP port')
  const tooLong = `/${'x'.repeat(MAX_SOCKET_PATH_BYTES)}`
  t.same(checkSocketPath(tooLong), { ok: false, error: `socket path ${tooLong} is 108 bytes; Unix sockets take at most 107: pass a shorter one` })
  // The limit is in bytes: 54 two-byte letters and the slash make 109.
  t.match(checkSocketPath(`/${'é'.repeat(54)}`), { ok: false, error: /is 109 bytes/ })
})
