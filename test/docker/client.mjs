#!/usr/bin/env node
// Socket client for the docker smoke test (plain ESM, no build, no dependencies).
//
//   node client.mjs listen <socket> <outfile> <maxMs>
//     Connects (retrying until maxMs), appends every line it receives to outfile (and the
//     time it arrived, in ms since the epoch, to outfile.ms), and exits when the server
//     closes the connection or maxMs has passed. Exit 0 once connected, 1 if it never
//     connected.
//   node client.mjs expect <file> <type> <timeoutMs> [ifname] [address]
//     Polls file until a JSON line of that type arrives that names ifname with address
//     (network_discovery: among data.interfaces; network_change: data itself).
//     Exit 0 when found, printing the time that line arrived (ms since the epoch, from
//     file.ms) on stdout; 1 with a one-line reason on stderr when not.
import { appendFileSync, readFileSync } from 'node:fs'
import { connect } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'

const [mode, ...args] = process.argv.slice(2)

/** @param {unknown} iface @param {string | undefined} ifname @param {string | undefined} address */
const names = (iface, ifname, address) => {
  if (typeof iface !== 'object' || iface === null) return false
  const i = /** @type {{interface?: unknown, ipv4_addresses?: unknown}} */ (iface)
  if (ifname !== undefined && i.interface !== ifname) return false
  if (address === undefined) return true
  return Array.isArray(i.ipv4_addresses) && i.ipv4_addresses.some((a) => a?.address === address)
}

/** @param {string} line @param {string} type @param {string | undefined} ifname @param {string | undefined} address */
const matches = (line, type, ifname, address) => {
  let msg
  try {
    msg = JSON.parse(line)
  } catch {
    return false
  }
  if (msg?.type !== type) return false
  if (type === 'network_discovery') {
    const list = msg.data?.interfaces
    return Array.isArray(list) && (ifname === undefined || list.some((i) => names(i, ifname, address)))
  }
  return names(msg.data, ifname, address)
}

const listen = async (socket, outfile, maxMs) => {
  const deadline = Date.now() + Number(maxMs)
  while (Date.now() < deadline) {
    const connected = await new Promise((resolve) => {
      const conn = connect(socket)
      let buffered = ''
      let opened = false
      const timer = setTimeout(() => conn.destroy(), Math.max(0, deadline - Date.now()))
      conn.setEncoding('utf8')
      conn.on('connect', () => {
        opened = true
        process.stderr.write(`client: connected to ${socket}\n`)
      })
      conn.on('data', (chunk) => {
        buffered += chunk
        const lines = buffered.split('\n')
        buffered = lines.pop() ?? ''
        const at = Date.now()
        for (const line of lines) {
          appendFileSync(`${outfile}.ms`, `${at}\n`) // first: a line read has its time
          appendFileSync(outfile, `${line}\n`)
        }
      })
      conn.on('error', () => {})
      conn.on('close', () => {
        clearTimeout(timer)
        resolve(opened)
      })
    })
    if (connected) return 0
    await sleep(200)
  }
  process.stderr.write(`client: could not connect to ${socket} within ${maxMs} ms\n`)
  return 1
}

const expect = async (file, type, timeoutMs, ifname, address) => {
  const deadline = Date.now() + Number(timeoutMs)
  for (;;) {
    let text = ''
    try {
      text = readFileSync(file, 'utf8')
    } catch {}
    const found = text.split('\n').findIndex((line) => matches(line, type, ifname, address))
    if (found >= 0) {
      let times = []
      try {
        times = readFileSync(`${file}.ms`, 'utf8').split('\n')
      } catch {}
      process.stdout.write(`${times[found] ?? ''}\n`)
      return 0
    }
    if (Date.now() >= deadline) break
    await sleep(100)
  }
  const want = [type, ifname, address].filter((x) => x !== undefined).join(' ')
  process.stderr.write(`no line matching "${want}" in ${file} within ${timeoutMs} ms\n`)
  return 1
}

const run = { listen, expect }[mode ?? '']
if (run === undefined) {
  process.stderr.write('usage: client.mjs listen <socket> <outfile> <maxMs> | expect <file> <type> <timeoutMs> [ifname] [address]\n')
  process.exit(2)
}
process.exit(await run(...args))
