import { createServer, type Socket } from 'node:net'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { probeDiscovery } from '../../src/cli/health-command.js'
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
