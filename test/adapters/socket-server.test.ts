import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { silentLogger } from '../../src/adapters/logger.js'
import { claimSocketPath, listenSocket, type SocketServer } from '../../src/adapters/socket-server.js'
import { CLIENT_LIMITS } from '../../src/sidecar.js'
import { parseLine, connectClient } from '../helpers/socket-client.js'
import { socketPath, tempDir } from '../helpers/temp-dir.js'

const serve = async (path: string, replyLine: (line: string) => string): Promise<SocketServer> =>
  listenSocket(
    { path, mode: 0o666, maxClients: 8, logger: silentLogger, ...CLIENT_LIMITS },
    {
      discoveryLine: () => '{"type":"network_discovery","data":{"interfaces":[],"timestamp":"x"}}\n',
      replyLine,
      refusal: (reason) => `${JSON.stringify({ success: false, error: reason })}\n`,
    },
  )

t.test('a line that makes the reply throw closes that client only', async (t) => {
  const path = socketPath(t, 'throw')
  const server = await serve(path, (line) => {
    if (line.includes('boom')) throw new RangeError('Maximum call stack size exceeded')
    return '{"success":true}\n'
  })
  t.teardown(() => server.close())
  const [victim, bystander] = [await connectClient(path), await connectClient(path)]
  t.teardown(() => [victim, bystander].forEach((client) => client.close()))
  await Promise.all([victim.lines.waitForCount(1), bystander.lines.waitForCount(1)])
  victim.sendRaw('{"command":"boom"}\n{"command":"never answered"}\n')
  t.same(parseLine((await victim.lines.waitForCount(2))[1]), { success: false, error: 'internal-error' })
  await victim.closedWithin()
  bystander.sendRaw('{"command":"get_status"}\n')
  t.same(parseLine((await bystander.lines.waitForCount(2))[1]), { success: true }, 'the others are still served')
  t.equal(server.clientCount(), 1)
})

t.test('close removes the socket file it created, and releases the path for the next one', async (t) => {
  const path = socketPath(t, 'again')
  const first = await serve(path, () => '{"success":true}\n')
  await t.rejects(serve(path, () => ''), { code: 'ERR_SOCKET_IN_USE' }, 'a second server on the path is refused')
  await first.close()
  t.notOk(existsSync(path))
  const second = await serve(path, () => '{"success":true}\n')
  t.ok(existsSync(path), 'the next one serves')
  await second.close()
})

t.test('a claimed path that cannot be served releases its lock: the next claim gets it', async (t) => {
  const path = socketPath(t, 'unserved')
  writeFileSync(path, 'not a socket')
  const options = { path, mode: 0o666, maxClients: 8, logger: silentLogger, ...CLIENT_LIMITS }
  const hooks = { discoveryLine: () => undefined, replyLine: () => '', refusal: () => '' }
  await t.rejects((await claimSocketPath(options)).listen(hooks), { code: 'ERR_SOCKET_PATH', message: /exists and is not a socket/ })
  const next = await claimSocketPath(options)
  t.equal(next.path, path, 'claimed again')
  next.release()
})

t.test('a socket path that is not absolute, or whose folder cannot be made, is refused before the lock', async (t) => {
  const claim = (path: string) => claimSocketPath({ path, mode: 0o666, maxClients: 8, logger: silentLogger, ...CLIENT_LIMITS })
  await t.rejects(claim('netmon.sock'), { code: 'ERR_SOCKET_PATH', message: 'socket path "netmon.sock" is not absolute' })
  t.notOk(existsSync('netmon.sock.lock'))
  const file = join(tempDir(t, 'nofolder'), 'file')
  writeFileSync(file, '')
  const path = join(file, 'netmon.sock')
  await t.rejects(claim(path), { code: 'ERR_SOCKET_PATH', message: `cannot create the folder of ${path}: pass a writable --socket path` })
})

t.test('white space around a command is not part of it; a blank line is no command', async (t) => {
  const path = socketPath(t, 'blank')
  const server = await serve(path, (line) => `${JSON.stringify({ success: true, line })}\n`)
  t.teardown(() => server.close())
  const client = await connectClient(path)
  t.teardown(() => client.close())
  await client.lines.waitForCount(1)
  client.sendRaw(' \r\n\n\t{"command":"get_status"} \r\n')
  client.sendRaw('{"command":"last"}\n')
  const replies = (await client.lines.waitForCount(3)).slice(1).map(parseLine)
  t.same(replies, [
    { success: true, line: '{"command":"get_status"}' },
    { success: true, line: '{"command":"last"}' },
  ])
})

t.test('a full server keeps a half-closed client that still listens, and refuses the newcomer', async (t) => {
  const path = socketPath(t, 'full')
  const server = await listenSocket(
    { path, mode: 0o666, maxClients: 1, logger: silentLogger, ...CLIENT_LIMITS },
    {
      discoveryLine: () => '{"type":"network_discovery","data":{"interfaces":[],"timestamp":"x"}}\n',
      replyLine: () => '{"success":true}\n',
      refusal: (reason) => `${JSON.stringify({ success: false, error: reason })}\n`,
    },
  )
  t.teardown(() => server.close())
  const listener = await connectClient(path)
  t.teardown(() => listener.close())
  await listener.lines.waitForCount(1)
  listener.socket.end()
  await new Promise((resolve) => setTimeout(resolve, 50))
  const newcomer = await connectClient(path)
  t.teardown(() => newcomer.close())
  t.same(parseLine((await newcomer.lines.waitForCount(1))[0]), { success: false, error: 'too-many-clients' })
  await newcomer.closedWithin()
  server.broadcast('{"type":"network_change"}\n')
  t.same(await listener.lines.waitForCount(2), ['{"type":"network_discovery","data":{"interfaces":[],"timestamp":"x"}}', '{"type":"network_change"}'], 'the listener still hears events')
  t.equal(server.clientCount(), 1)
})
