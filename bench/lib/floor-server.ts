import { createServer, type Socket } from 'node:net'
import { createInterface } from 'node:readline'

/**
 * The floor for the socket scenarios: a bare node:net server with no netmon code. It greets
 * every client with a fixed line and, on a stdin line, writes that line to every client.
 * Run: node floor-server.js <socket path> <greeting line>. Prints "listening" when bound.
 */
const [path, greeting] = process.argv.slice(2)
if (path === undefined || greeting === undefined) throw new Error('usage: floor-server.js <socket> <greeting line>')
const clients = new Set<Socket>()
const server = createServer((socket) => {
  clients.add(socket)
  socket.on('error', () => {})
  socket.on('close', () => clients.delete(socket))
  socket.write(`${greeting}\n`)
})
server.listen(path, () => process.stdout.write('listening\n'))
createInterface({ input: process.stdin }).on('line', (line) => {
  for (const socket of clients) socket.write(`${line}\n`)
})
process.stdin.on('end', () => {
  for (const socket of clients) socket.destroy()
  server.close()
})
