import { readdirSync, readFileSync } from 'node:fs'

/** Figures of a running process from /proc, for the tests and the bench. */

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ: 100 on every Linux ABI Node runs on). */
const USER_HZ = 100

/** The fields of a stat file after the command name (which is in parentheses and may contain spaces): utime is [11]. */
const statFields = (path: string): string[] => {
  const stat = readFileSync(path, 'utf8')
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')
}

/** A `Name:  <number>` line of a status file, or undefined. */
const statusField = (text: string, field: string): number | undefined => {
  const match = new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(text)
  return match?.[1] === undefined ? undefined : Number(match[1])
}

/**
 * CPU time (user + system) in clock ticks, from /proc/<pid>/stat: of the whole process, or
 * of its main thread (the event loop) with `mainThreadOnly`.
 */
export const cpuTicks = (pid: number, mainThreadOnly = false): number => {
  const fields = statFields(mainThreadOnly ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`)
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
export const wakeups = (pid: number): number => statusField(readFileSync(`/proc/${pid}/status`, 'utf8'), 'voluntary_ctxt_switches') ?? Number.NaN

export interface CpuTimes {
  /** utime + stime of the process (all its threads), seconds. */
  self: number
  /** cutime + cstime: children it has waited for (the `ip` snapshot commands), seconds. */
  children: number
}

/** CPU seconds of `pid`, or undefined when it is gone. */
export const cpuTimes = (pid: number): CpuTimes | undefined => {
  try {
    const [utime = 0, stime = 0, cutime = 0, cstime = 0] = statFields(`/proc/${pid}/stat`).slice(11, 15).map(Number)
    return { self: (utime + stime) / USER_HZ, children: (cutime + cstime) / USER_HZ }
  } catch {
    return undefined
  }
}

export interface Memory {
  rssMb: number
  /** VmHWM: peak RSS since start. */
  peakRssMb: number
}

/** RSS and peak RSS of `pid`, or undefined when it is gone. */
export const memory = (pid: number): Memory | undefined => {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    return { rssMb: (statusField(status, 'VmRSS') ?? 0) / 1024, peakRssMb: (statusField(status, 'VmHWM') ?? 0) / 1024 }
  } catch {
    return undefined
  }
}

export interface ThreadSwitches {
  voluntary: number
  involuntary: number
  threads: number
}

/** Context switches summed over every thread of `pid` (a thread's switch is a wakeup), or undefined when it is gone. */
export const threadSwitches = (pid: number): ThreadSwitches | undefined => {
  try {
    const total: ThreadSwitches = { voluntary: 0, involuntary: 0, threads: 0 }
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const status = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8')
      total.voluntary += statusField(status, 'voluntary_ctxt_switches') ?? 0
      total.involuntary += statusField(status, 'nonvoluntary_ctxt_switches') ?? 0
      total.threads += 1
    }
    return total
  } catch {
    return undefined
  }
}
