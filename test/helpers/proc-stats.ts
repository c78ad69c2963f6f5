import { readFileSync } from 'node:fs'

/**
 * CPU time (user + system) in clock ticks, from /proc/<pid>/stat: of the whole process, or
 * of its main thread (the event loop) with `mainThreadOnly`.
 */
export const cpuTicks = (pid: number, mainThreadOnly = false): number => {
  const stat = readFileSync(mainThreadOnly ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`, 'utf8')
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return Number(fields[11]) + Number(fields[12])
}

/** True while `pid` runs; a zombie (exited, not yet reaped) still answers kill(pid, 0), so it counts as gone. */
export const isRunning = (pid: number): boolean => {
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return false
  }
}

/** Voluntary context switches of a process's main thread: how often its event loop woke. */
export const wakeups = (pid: number): number => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN)
}
