import { once } from 'node:events'
import { createConnection, createServer, type Socket } from 'node:net'
import t from 'tap'
import { openConnection, type ConnectionHooks } from '../../src/adapters/client-connection.js'
import { createLogger } from '../../src/adapters/logger.js'
import { listenSocket } from '../../src/adapters/socket-server.js'
import { CLIENT_LIMITS } from '../../src/sidecar.js'
import { connectClient } from '../helpers/socket-client.js'
import { socketPath } from '../helpers/temp-dir.js'

interface LogEntry {
  level: string
  msg: string
  [field: string]: unknown
}

const recorder = (): { logs: LogEntry[]; logger: ReturnType<typeof createLogger> } => {
  const logs: LogEntry[] = []
  return { logs, logger: createLogger('debug', (line) => logs.push(JSON.parse(line) as LogEntry)) }
}

const HOOKS: ConnectionHooks = {
  discoveryLine: () => '{"type":"network_discovery","data":{"interfaces":[],"timestamp":"x"}}\n',
  replyLine: () => '{"success":true}\n',
  refusal: (reason) => `${JSON.stringify({ success: false, error: reason })}\n`,
}

const lineOf = (bytes: number): string => `${JSON.stringify({ type: 'network_change', pad: 'x'.repeat(bytes) })}\n`

t.test('a client that stops reading is cut off once its backlog passes the cap; one message over the cap still goes', async (t) => {
  const cap = 256 * 1024
  const path = socketPath(t, 'backlog')
  const { logs, logger } = recorder()
  const server = await listenSocket({ path, mode: 0o600, maxClients: 4, logger, ...CLIENT_LIMITS, maxBacklogBytes: cap }, HOOKS)
  t.teardown(() => server.close())

  const reader = await connectClient(path)
  await reader.lines.waitForCount(1)
  const big = lineOf(2 * cap)
  server.broadcast(big)
  t.equal((await reader.lines.waitForCount(2))[1]?.length, big.length - 1, 'a message twice the cap reaches a client that reads')
  reader.close()

  // Connected, greeted, and never read from again.
  const stuck = createConnection(path)
  stuck.pause()
  await once(stuck, 'connect')
  await new Promise((resolve) => setTimeout(resolve, 50))
  const closed = once(stuck, 'close')
  const line = lineOf(16 * 1024)
  let sent = 0
  while (server.clientCount() > 0 && sent < 1000) {
    server.broadcast(line)
    sent += 1
  }
  t.equal(server.clientCount(), 0, 'cut off')
  if (server.clientCount() !== 0) return
  t.ok(sent * line.length > cap, `not before its backlog passed the cap (${sent} lines of ${line.length} bytes)`)
  const warning = logs.find((log) => log.msg === 'client stopped reading; disconnecting it')
  t.match(warning, { level: 'warn', client: Number })
  t.ok(Number(warning?.backlogBytes) > cap, `its backlog: ${String(warning?.backlogBytes)} bytes`)
  stuck.on('error', () => {})
  stuck.resume()
  await closed
  t.pass('what reached it ends in a close')
})

t.test('a socket error drops the client; EPIPE and ECONNRESET are routine (debug), any other is a warning', async (t) => {
  const { logs, logger } = recorder()
  const gone: string[] = []
  const accepted: Socket[] = []
  const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) => {
    accepted.push(socket)
    openConnection(socket, accepted.length, CLIENT_LIMITS, HOOKS, logger, (_connection, reason) => gone.push(reason))
  })
  const path = socketPath(t, 'sockerr')
  server.listen(path)
  await once(server, 'listening')
  t.teardown(() => server.close())
  const errors = [Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }), Object.assign(new Error('read EIO'), { code: 'EIO' }), new Error('no code at all')]
  for (const error of errors) {
    const client = createConnection(path)
    client.on('error', () => {})
    t.teardown(() => client.destroy())
    await once(server, 'connection')
    accepted.at(-1)?.destroy(error)
  }
  await new Promise((resolve) => setImmediate(resolve))
  t.same(gone, ['EPIPE', 'EIO', 'no code at all'], 'each dropped, with its code (or message) as the reason')
  t.same(
    logs.filter((log) => log.msg === 'client socket error').map((log) => [log.level, log.client, log.code]),
    [
      ['debug', 1, 'EPIPE'],
      ['warn', 2, 'EIO'],
      ['warn', 3, 'no code at all'],
    ],
  )
})

t.test('a reply that throws a non-Error is logged by its text, and that client gets the internal-error refusal', async (t) => {
  const path = socketPath(t, 'thrown')
  const { logs, logger } = recorder()
  const server = await listenSocket({ path, mode: 0o600, maxClients: 4, logger, ...CLIENT_LIMITS }, {
    ...HOOKS,
    replyLine: () => {
      throw 'not an Error' as unknown as Error
    },
  })
  t.teardown(() => server.close())
  const client = await connectClient(path)
  await client.lines.waitForCount(1)
  client.send({ command: 'get_status' })
  t.same(JSON.parse((await client.lines.waitForCount(2))[1] ?? 'null'), { success: false, error: 'internal-error' })
  t.match(logs.find((log) => log.level === 'error'), { msg: 'failed to answer a client; closing it', error: 'not an Error' })
})

t.test('greetWaiting greets only the clients not greeted yet', async (t) => {
  const path = socketPath(t, 'greet')
  const server = await listenSocket({ path, mode: 0o600, maxClients: 4, logger: recorder().logger, ...CLIENT_LIMITS }, HOOKS)
  t.teardown(() => server.close())
  const client = await connectClient(path)
  t.teardown(() => client.close())
  await client.lines.waitForCount(1)
  server.greetWaiting()
  server.broadcast(lineOf(1))
  const [, second] = await client.lines.waitForCount(2)
  t.match(JSON.parse(second ?? 'null'), { type: 'network_change' }, 'no second discovery before it')
})

t.test('a client throttled for flooding commands leaves no timer behind when the server closes', async (t) => {
  const path = socketPath(t, 'throttle')
  const server = await listenSocket({ path, mode: 0o600, maxClients: 4, logger: recorder().logger, ...CLIENT_LIMITS, commandBurst: 1, commandsPerSecond: 0.1 }, HOOKS)
  const timers = (): number => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length
  const before = timers()
  const client = await connectClient(path)
  t.teardown(() => client.close())
  await client.lines.waitForCount(1)
  client.sendRaw('{"command":"get_status"}\n'.repeat(3))
  await client.lines.waitForCount(2)
  await new Promise((resolve) => setTimeout(resolve, 50))
  t.equal(client.lines.lines.length, 2, 'one reply, then throttled')
  t.equal(timers(), before + 1, 'the throttle timer')
  await server.close()
  t.equal(timers(), before, 'cleared with the connection')
})
