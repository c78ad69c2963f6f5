import { getEventListeners } from 'node:events'
import { Socket } from 'node:net'
import t, { type Test } from 'tap'
import { connect, NetmonClientError, type ClientEvent } from '../../src/client/index.js'
import { changeLine, createFakeDaemon, discoveryLine, nextMatching, report } from '../helpers/fake-daemon.js'
import { sleep } from '../helpers/wait.js'

const FAST = { backoff: { initialMs: 20, maxMs: 200 } }

/** A client connected to a fresh fake daemon, past its discovery. */
const greetedClient = async (t: Test) => {
  const fake = createFakeDaemon(t)
  await fake.start()
  const client = connect({ socket: fake.path, ...FAST })
  t.teardown(() => client.close())
  const events = client[Symbol.asyncIterator]()
  await nextMatching(events, (event) => event.kind === 'discovery')
  return { fake, client, events }
}
const kinds = (events: ClientEvent[]): string[] => events.map((event) => event.kind)

t.test('waits for the socket to appear, then yields the discovery', async (t) => {
  const fake = createFakeDaemon(t)
  fake.greeting = discoveryLine([report('ens37', 2, ['10.0.0.5/24'])])
  const client = connect({ socket: fake.path, ...FAST })
  t.teardown(() => client.close())
  const events = client[Symbol.asyncIterator]()
  const waiting = await nextMatching(events, (event) => event.kind === 'retrying')
  t.match(waiting.at(-1), { kind: 'retrying', error: 'ENOENT', attempt: 1, delayMs: 20 })
  await sleep(100)
  await fake.start()
  const seen = await nextMatching(events, (event) => event.kind === 'discovery')
  t.match(seen.filter((event) => event.kind !== 'retrying'), [
    { kind: 'connected', socket: fake.path },
    { kind: 'discovery', resync: false, event: { data: { interfaces: [{ interface: 'ens37' }] } } },
  ])
  t.equal(client.connected, true)
})

t.test('reconnects when the daemon restarts and marks the new discovery as a resync', async (t) => {
  const { fake, client, events } = await greetedClient(t)
  await fake.stop()
  const gone = await nextMatching(events, (event) => event.kind === 'disconnected')
  t.match(gone.at(-1), { kind: 'disconnected', reason: 'closed by the daemon' })
  t.equal(client.connected, false)
  fake.greeting = discoveryLine([report('eth1', 3, ['192.168.7.2/24'])])
  await fake.start()
  const back = await nextMatching(events, (event) => event.kind === 'discovery')
  t.match(back.at(-1), { kind: 'discovery', resync: true, event: { data: { interfaces: [{ interface: 'eth1' }] } } })
  t.ok(kinds(back).includes('connected'))
})

t.test('request/reply in order while events flow', async (t) => {
  const fake = createFakeDaemon(t)
  fake.reply = (line) => `${JSON.stringify({ success: false, error: `answer to ${(JSON.parse(line) as { command: string }).command}` })}\n`
  await fake.start()
  const client = connect({ socket: fake.path, ...FAST })
  t.teardown(() => client.close())
  // Sent before the connection is up: it waits for it.
  const early = client.request({ command: 'early' })
  const events = client[Symbol.asyncIterator]()
  await nextMatching(events, (event) => event.kind === 'discovery')
  let flowing = true
  void (async () => {
    for (let index = 0; flowing; index += 1) {
      fake.broadcast(changeLine(report('ens37', 2, [`10.0.${index % 250}.5/24`])))
      await sleep(2)
    }
  })()
  const replies = await Promise.all(Array.from({ length: 30 }, (_, index) => client.request({ command: `c${index}` })))
  flowing = false
  t.same(await early, { success: false, error: 'answer to early' })
  t.same(
    replies.map((reply) => (reply.success ? 'ok' : reply.error)),
    Array.from({ length: 30 }, (_, index) => `answer to c${index}`),
  )
  const during = await nextMatching(events, (event) => event.kind === 'change')
  t.ok(during.every((event) => event.kind === 'change'), 'replies never show up as events')
  t.equal(fake.received.length, 31)
})

t.test('a timed-out request does not shift later replies', async (t) => {
  const fake = createFakeDaemon(t)
  fake.reply = (line) => {
    const { command } = JSON.parse(line) as { command: string }
    const answer = `${JSON.stringify({ success: false, error: `answer to ${command}` })}\n`
    if (command !== 'slow') return answer
    setTimeout(() => fake.broadcast(answer), 150)
    return undefined
  }
  await fake.start()
  const client = connect({ socket: fake.path, ...FAST })
  t.teardown(() => client.close())
  const slow = client.request({ command: 'slow' }, { timeoutMs: 50 })
  await t.rejects(slow, { name: 'NetmonClientError', code: 'ERR_REQUEST_TIMEOUT' })
  await sleep(200)
  t.same(await client.request({ command: 'next' }), { success: false, error: 'answer to next' })
})

t.test('a request whose connection drops rejects; close() rejects the rest and ends the iteration', async (t) => {
  const fake = createFakeDaemon(t)
  fake.reply = () => undefined
  await fake.start()
  const client = connect({ socket: fake.path, ...FAST })
  const events = client[Symbol.asyncIterator]()
  await nextMatching(events, (event) => event.kind === 'discovery')
  const dropped = client.request({ command: 'get_status' })
  await sleep(50)
  for (const socket of fake.sockets) socket.destroy()
  await t.rejects(dropped, { code: 'ERR_DISCONNECTED' })
  await fake.stop()
  const queued = client.request({ command: 'get_status' })
  client.close()
  await t.rejects(queued, { code: 'ERR_CLIENT_CLOSED' })
  await t.rejects(client.request({ command: 'get_status' }), NetmonClientError)
  t.same(await events.next(), { done: true, value: undefined })
})

t.test('the signal ends the iteration; breaking out of the loop closes the socket', async (t) => {
  const fake = createFakeDaemon(t)
  await fake.start()
  const controller = new AbortController()
  const client = connect({ socket: fake.path, signal: controller.signal, ...FAST })
  const seen: string[] = []
  for await (const event of client) {
    seen.push(event.kind)
    if (event.kind === 'discovery') controller.abort()
  }
  t.same(seen, ['connected', 'discovery'])
  const second = connect({ socket: fake.path, ...FAST })
  for await (const event of second) if (event.kind === 'discovery') break
  await sleep(50)
  t.equal(fake.sockets.size, 0, 'the daemon saw both clients go')
  const aborted = connect({ socket: fake.path, signal: AbortSignal.abort() })
  t.same(await aborted[Symbol.asyncIterator]().next(), { done: true, value: undefined })
})

t.test('bad input is reported, not thrown, and the stream goes on', async (t) => {
  const { fake, events } = await greetedClient(t)
  fake.broadcast('this is not json\n')
  fake.broadcast('[1,2]\n')
  fake.broadcast(`${JSON.stringify({ type: 'network_weather', data: { sunny: true } })}\n`)
  fake.broadcast(`${JSON.stringify({ type: 42 })}\n`)
  fake.broadcast(`${JSON.stringify({ type: 'network_change', data: { interface: 'ens37' } })}\n`)
  fake.broadcast(`${JSON.stringify({ success: false, error: 'Too many clients' })}\n`)
  fake.broadcast(changeLine({ ...report('ens37', 2, ['10.0.0.5/24']), mtu: 1500 } as ReturnType<typeof report>))
  const seen = await nextMatching(events, (event) => event.kind === 'change')
  t.match(seen, [
    { kind: 'malformed', line: 'this is not json', reason: /invalid JSON/ },
    { kind: 'malformed', line: '[1,2]', reason: 'not a JSON object' },
    { kind: 'unknown', type: 'network_weather', message: { data: { sunny: true } } },
    { kind: 'malformed', reason: /"type" is not a string/ },
    { kind: 'malformed', reason: /bad network_change/ },
    { kind: 'malformed', reason: 'a reply with no request waiting: Too many clients' },
    { kind: 'change', event: { data: { interface: 'ens37' } } },
  ])
  const change = seen.at(-1)
  t.notOk(change?.kind === 'change' && 'mtu' in change.event.data, 'a field the schema does not know is dropped')
})

t.test('blank lines are skipped; white space around a line is not part of it', async (t) => {
  const { fake, events } = await greetedClient(t)
  fake.broadcast(`\n \r\n  ${JSON.stringify({ type: 'network_weather' })} \r\n`)
  fake.broadcast(changeLine(report('ens37', 2, ['10.0.0.5/24'])))
  const seen = await nextMatching(events, (event) => event.kind === 'change')
  t.match(seen, [{ kind: 'unknown', type: 'network_weather' }, { kind: 'change' }])
  t.equal(seen.length, 2, 'nothing else')
})

t.test('a daemon that closes mid-line: the fragment is reported, the client reconnects', async (t) => {
  const fake = createFakeDaemon(t)
  let first = true
  fake.onConnection = (socket) => {
    socket.write(fake.greeting)
    if (!first) return
    first = false
    socket.end('{"type":"network_change","data":{"interf')
  }
  await fake.start()
  const client = connect({ socket: fake.path, ...FAST })
  t.teardown(() => client.close())
  const events = client[Symbol.asyncIterator]()
  const seen = await nextMatching(events, (event) => event.kind === 'discovery' && event.resync)
  t.match(
    seen.filter((event) => event.kind !== 'retrying'),
    [
      { kind: 'connected' },
      { kind: 'discovery', resync: false },
      { kind: 'malformed', line: '{"type":"network_change","data":{"interf', reason: 'connection closed mid-line' },
      { kind: 'disconnected' },
      { kind: 'connected' },
      { kind: 'discovery', resync: true },
    ],
  )
})

t.test('a line over the limit is reported and the connection dropped', async (t) => {
  const cases = {
    'a line that never ends': 'x'.repeat(5000),
    // 600 characters, 1200 bytes: the limit counts bytes. One write, so one chunk, newline and all.
    'a line that arrives whole in one chunk': `${'é'.repeat(600)}\n`,
  }
  for (const [name, text] of Object.entries(cases)) {
    const fake = createFakeDaemon(t)
    await fake.start()
    const client = connect({ socket: fake.path, maxLineBytes: 1000, ...FAST })
    t.teardown(() => client.close())
    const events = client[Symbol.asyncIterator]()
    await nextMatching(events, (event) => event.kind === 'discovery')
    fake.broadcast(text)
    const seen = await nextMatching(events, (event) => event.kind === 'disconnected')
    t.match(seen, [{ kind: 'malformed', reason: /longer than 1000 bytes/ }, { kind: 'disconnected', reason: 'line too long' }], name)
  }
})

t.test('a daemon that restarts in a loop is retried with capped backoff, then served', async (t) => {
  const fake = createFakeDaemon(t)
  const greeting = fake.onConnection
  fake.onConnection = (socket) => socket.destroy()
  await fake.start()
  const client = connect({ socket: fake.path, backoff: { initialMs: 10, maxMs: 80 } })
  t.teardown(() => client.close())
  const events = client[Symbol.asyncIterator]()
  const retries: number[] = []
  await nextMatching(events, (event) => {
    if (event.kind === 'retrying') retries.push(event.delayMs)
    return retries.length === 6
  })
  t.same(retries, [10, 20, 40, 80, 80, 80], 'doubling up to the cap; no reset without a discovery')
  t.ok(fake.connections <= 7, `no tight loop (${fake.connections} connections)`)
  fake.onConnection = greeting
  await nextMatching(events, (event) => event.kind === 'discovery')
  for (const socket of fake.sockets) socket.destroy()
  const after = await nextMatching(events, (event) => event.kind === 'retrying')
  t.match(after.at(-1), { kind: 'retrying', delayMs: 10 }, 'a discovery resets the backoff')
})

t.test('a consumer that stops reading costs bounded memory and resyncs from the next discovery', async (t) => {
  const fake = createFakeDaemon(t)
  fake.greeting = discoveryLine([report('ens37', 2, ['10.0.0.5/24'])])
  await fake.start()
  const client = connect({ socket: fake.path, ...FAST, maxQueuedEvents: 50 })
  t.teardown(() => client.close())
  await fake.waitForConnections(1)
  // Nobody iterates while the daemon sends 200 changes: only 50 may wait.
  fake.greeting = discoveryLine([report('ens37', 2, ['10.9.9.9/24'])])
  fake.broadcast(Array.from({ length: 200 }, (_, index) => changeLine(report('ens37', 2, [`10.1.${index}.5/24`]))).join(''))
  const reconnected = await Promise.race([fake.waitForConnections(2).then(() => true), sleep(5000).then(() => false)])
  t.ok(reconnected, 'the client hung up and reconnected on its own, without being read')
  const events = client[Symbol.asyncIterator]()
  const seen = await nextMatching(events, (event) => event.kind === 'discovery' && event.resync)
  t.same(
    kinds(seen).filter((kind) => kind !== 'retrying'),
    ['disconnected', 'connected', 'discovery'],
    'the unread events were dropped, not kept: only the reconnection is left to read',
  )
  t.match(
    seen.find((event) => event.kind === 'disconnected'),
    { kind: 'disconnected', reason: /fell behind: more than 50 events unread/ },
  )
  t.notOk(seen.some((event) => event.kind === 'malformed'), 'the cut-off line is not reported as malformed')
  t.match(seen.at(-1), { kind: 'discovery', resync: true, event: { data: { interfaces: [{ ipv4_addresses: [{ address: '10.9.9.9' }] }] } } })
  fake.broadcast(changeLine(report('ens37', 2, ['10.2.0.5/24'])))
  t.match((await nextMatching(events, (event) => event.kind === 'change')).at(-1), { kind: 'change', event: { data: { ipv4_addresses: [{ address: '10.2.0.5' }] } } })
})

t.test('a reply that breaks the schema answers its request with an error reply, and the next reply still matches', async (t) => {
  const fake = createFakeDaemon(t)
  fake.reply = (line) => {
    const { command } = JSON.parse(line) as { command: string }
    if (command === 'get_status') return `${JSON.stringify({ success: true, status: { version: 7 } })}\n`
    return `${JSON.stringify({ success: false, error: `answer to ${command}` })}\n`
  }
  await fake.start()
  const client = connect({ socket: fake.path, ...FAST })
  t.teardown(() => client.close())
  const broken = await client.request({ command: 'get_status' })
  t.same(broken, { success: false, error: 'malformed reply: bad reply: /status/uptime_seconds: Expected required property' })
  t.same(await client.request({ command: 'next' }), { success: false, error: 'answer to next' })
})

t.test('closed is final from every state: no dial after close, no listener left on the signal', async (t) => {
  t.test('while waiting for the socket to appear', async (t) => {
    const fake = createFakeDaemon(t)
    const controller = new AbortController()
    const client = connect({ socket: fake.path, signal: controller.signal, backoff: { initialMs: 30, maxMs: 30 } })
    const events = client[Symbol.asyncIterator]()
    await nextMatching(events, (event) => event.kind === 'retrying')
    controller.abort()
    t.same(await events.next(), { done: true, value: undefined })
    await fake.start()
    await sleep(150)
    t.equal(fake.connections, 0, 'the pending retry was cancelled')
    t.equal(getEventListeners(controller.signal, 'abort').length, 0)
  })
  t.test('while open, by close()', async (t) => {
    const controller = new AbortController()
    const fake = createFakeDaemon(t)
    await fake.start()
    const client = connect({ socket: fake.path, signal: controller.signal, ...FAST })
    const events = client[Symbol.asyncIterator]()
    await nextMatching(events, (event) => event.kind === 'discovery')
    t.equal(getEventListeners(controller.signal, 'abort').length, 1, 'one listener while alive')
    client.close()
    t.equal(client.connected, false)
    t.same(await events.next(), { done: true, value: undefined })
    await sleep(150)
    t.equal(fake.connections, 1, 'no reconnection after close')
    t.equal(getEventListeners(controller.signal, 'abort').length, 0, 'the listener on the caller\'s signal is gone')
    controller.abort()
    client.close()
    t.pass('closing again is a no-op')
  })
})

t.test('a hang-up on our side is one transition: one retry, one reconnection', async (t) => {
  const fake = createFakeDaemon(t)
  await fake.start()
  const client = connect({ socket: fake.path, maxLineBytes: 1000, backoff: { initialMs: 20, maxMs: 20 } })
  t.teardown(() => client.close())
  const events = client[Symbol.asyncIterator]()
  await nextMatching(events, (event) => event.kind === 'discovery')
  fake.broadcast('y'.repeat(5000))
  const seen = await nextMatching(events, (event) => event.kind === 'discovery')
  await sleep(200)
  t.same(kinds(seen), ['malformed', 'disconnected', 'retrying', 'connected', 'discovery'])
  t.equal(fake.connections, 2, 'the late close of the dropped socket started no second dial')
})

t.test('without a socket option it dials the documented default path', async (t) => {
  const dialed: string[] = []
  const client = connect({
    createConnection: (path) => {
      dialed.push(path)
      return new Socket()
    },
  })
  client.close()
  t.same(dialed, ['/var/orchestrator/netmon.sock'])
})

t.test('a success reply nobody asked for is reported without an error detail', async (t) => {
  const { fake, events } = await greetedClient(t)
  fake.broadcast(`${JSON.stringify({ success: true, interfaces: [] })}\n`)
  const [seen] = await nextMatching(events, (event) => event.kind === 'malformed')
  t.same(seen, { kind: 'malformed', line: '{"success":true,"interfaces":[]}', reason: 'a reply with no request waiting' })
})

t.test('a transport error without an errno code is retried with its message as the reason', async (t) => {
  const client = connect({
    ...FAST,
    createConnection: () => {
      const socket = new Socket()
      process.nextTick(() => socket.destroy(new Error('transport broke')))
      return socket
    },
  })
  t.teardown(() => client.close())
  const seen = await nextMatching(client[Symbol.asyncIterator](), (event) => event.kind === 'retrying')
  t.match(seen.at(-1), { kind: 'retrying', error: 'transport broke', attempt: 1 })
})

t.test('a connect that a socket reports after close() opens nothing', async (t) => {
  const sockets: Socket[] = []
  const client = connect({
    createConnection: () => {
      const socket = new Socket()
      sockets.push(socket)
      return socket
    },
  })
  const events = client[Symbol.asyncIterator]()
  client.close()
  sockets[0]?.emit('connect')
  t.equal(client.connected, false)
  t.same(await events.next(), { done: true, value: undefined })
  t.equal(sockets.length, 1, 'no second dial')
})

t.test('close() while still dialing rejects the queued request and leaves no connection', async (t) => {
  const fake = createFakeDaemon(t)
  await fake.start()
  const client = connect({ socket: fake.path, ...FAST })
  const queued = client.request({ command: 'get_status' })
  client.close()
  await t.rejects(queued, { code: 'ERR_CLIENT_CLOSED' })
  await sleep(100)
  t.equal(fake.sockets.size, 0, 'the half-open socket was destroyed')
  t.same(fake.received, [], 'nothing was sent')
})

t.test('a request that times out before any connection is never sent', async (t) => {
  const fake = createFakeDaemon(t)
  const client = connect({ socket: fake.path, ...FAST })
  t.teardown(() => client.close())
  const events = client[Symbol.asyncIterator]()
  await t.rejects(client.request({ command: 'get_status' }, { timeoutMs: 30 }), { code: 'ERR_REQUEST_TIMEOUT', message: /within 30 ms/ })
  await fake.start()
  await nextMatching(events, (event) => event.kind === 'discovery')
  t.same(await client.request({ command: 'next' }), { success: false, error: 'Unknown command: next' })
  t.same(fake.received.map((line) => (JSON.parse(line) as { command: string }).command), ['next'], 'only the live request reached the daemon')
})
