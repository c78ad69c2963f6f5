import { writeFileSync } from 'node:fs'
import { createServer, type Socket } from 'node:net'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { describeConnectError, probeDiscovery } from '../../src/cli/health-command.js'
import { tempDir } from '../helpers/temp-dir.js'

/** A Unix socket that greets every client with `greet(socket)`. */
const server = async (t: Test, greet: (socket: Socket) => void): Promise<string> => {
  const path = join(tempDir(t, 'health'), 's.sock')
  const sockets = new Set<Socket>()
  const listening = createServer((socket) => {
    sockets.add(socket)
    socket.on('error', () => {})
    greet(socket)
  })
  await new Promise<void>((resolve) => listening.listen(path, resolve))
  t.teardown(() => {
    for (const socket of sockets) socket.destroy()
    listening.close()
  })
  return path
}

t.test('a discovery first is healthy', async (t) => {
  const path = await server(t, (socket) => socket.write('{"type":"network_discovery","data":{"interfaces":[]}}\n'))
  t.equal(await probeDiscovery(path, 3000), undefined)
})

t.test('anything else first is unhealthy, with the line quoted', async (t) => {
  const path = await server(t, (socket) => socket.write('{"success":false}\n'))
  t.match(await probeDiscovery(path, 3000), /first line from .* is not a network_discovery: \{"success":false\}/)
})

t.test('a first line that is not JSON is unhealthy too, quoted', async (t) => {
  const path = await server(t, (socket) => socket.write('netmon? no, an echo server\n'))
  t.match(await probeDiscovery(path, 3000), /first line from .* is not a network_discovery: netmon\? no, an echo server$/)
})

t.test('a first line without end is cut at the bound, at once', async (t) => {
  const path = await server(t, (socket) => socket.write(Buffer.alloc(3 * 1024 * 1024, 'x')))
  t.match(await probeDiscovery(path, 10_000, 1024 * 1024), /first line from .* is longer than 1048576 bytes/)
})

t.test('no socket says so', async (t) => {
  t.match(await probeDiscovery(join(tempDir(t, 'health'), 'none.sock'), 3000), /no socket at .*: is netmon running\?/)
})

t.test('an error without its own wording is passed on with the path', async (t) => {
  const file = join(tempDir(t, 'health'), 'a-file')
  writeFileSync(file, '')
  const path = join(file, 's.sock')
  t.equal(await probeDiscovery(path, 3000), `cannot connect to ${path}: connect ENOTDIR ${path}`)
})

t.test('each connect error is worded to say what to check', async (t) => {
  const errorWith = (code: string | undefined): NodeJS.ErrnoException => Object.assign(new Error(`connect ${code ?? 'failed'} /s`), code === undefined ? {} : { code })
  t.equal(describeConnectError('/s', errorWith('ENOENT')), 'no socket at /s: is netmon running?')
  t.equal(describeConnectError('/s', errorWith('ECONNREFUSED')), 'nothing answers on /s (a stale socket file?)')
  t.equal(describeConnectError('/s', errorWith('EACCES')), 'permission denied on /s')
  t.equal(describeConnectError('/s', errorWith('ENOTSOCK')), 'cannot connect to /s: connect ENOTSOCK /s')
  t.equal(describeConnectError('/s', errorWith(undefined)), 'cannot connect to /s: connect failed /s')
  t.equal(describeConnectError('/s', errorWith('toString')), 'cannot connect to /s: connect toString /s', 'a code is never looked up on a prototype')
})
