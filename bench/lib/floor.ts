import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { trackPid, untrackPid } from './cleanup.js'

/** A running floor server (./floor-server.ts): same sockets and clients, no netmon. */
export interface FloorServer {
  socketPath: string
  /** Writes `line` to every connected client. */
  broadcast(line: string): void
  stop(): Promise<void>
}

export const startFloorServer = async (greeting: string): Promise<FloorServer> => {
  const dir = mkdtempSync(join(tmpdir(), 'nmf-'))
  const socketPath = join(dir, 'floor.sock')
  const child = spawn(process.execPath, [fileURLToPath(new URL('./floor-server.js', import.meta.url)), socketPath, greeting], {
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  if (child.pid === undefined) throw new Error('could not start the floor server')
  const pid = child.pid
  trackPid(pid)
  await new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve())
    child.once('exit', (code) => reject(new Error(`floor server exited ${String(code)}`)))
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  return {
    socketPath,
    broadcast: (line) => void child.stdin.write(`${line}\n`),
    async stop() {
      child.stdin.end()
      const timer = setTimeout(() => child.kill('SIGKILL'), 2000)
      await exited
      clearTimeout(timer)
      untrackPid(pid)
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
