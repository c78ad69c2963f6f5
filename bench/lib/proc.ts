import { readdirSync, readFileSync } from 'node:fs'

/** Clock ticks per second for /proc/<pid>/stat (USER_HZ; 100 on every Linux ABI Node runs on). */
const USER_HZ = 100

export interface CpuTimes {
  /** utime + stime of the process (all its threads), seconds. */
  self: number
  /** cutime + cstime: children it has waited for (the `ip` snapshot commands), seconds. */
  children: number
}

/** CPU seconds of `pid` from /proc/<pid>/stat, or undefined when it is gone. */
export const cpuTimes = (pid: number): CpuTimes | undefined => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the parenthesised command name; utime is field 14 (index 11 here).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number)
    const [utime = 0, stime = 0, cutime = 0, cstime = 0] = fields.slice(11, 15)
    return { self: (utime + stime) / USER_HZ, children: (cutime + cstime) / USER_HZ }
  } catch {
    return undefined
  }
}

const statusField = (text: string, field: string): number => {
  const match = new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(text)
  return match?.[1] === undefined ? 0 : Number(match[1])
}

export interface Memory {
  rssMb: number
  /** VmHWM: peak RSS since start. */
  peakRssMb: number
}

export const memory = (pid: number): Memory | undefined => {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    return { rssMb: statusField(status, 'VmRSS') / 1024, peakRssMb: statusField(status, 'VmHWM') / 1024 }
  } catch {
    return undefined
  }
}

export interface Wakeups {
  voluntary: number
  involuntary: number
  threads: number
}

/** Context switches summed over every thread of `pid` (a thread's switch is a wakeup). */
export const wakeups = (pid: number): Wakeups | undefined => {
  try {
    const total: Wakeups = { voluntary: 0, involuntary: 0, threads: 0 }
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const status = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8')
      total.voluntary += statusField(status, 'voluntary_ctxt_switches')
      total.involuntary += statusField(status, 'nonvoluntary_ctxt_switches')
      total.threads += 1
    }
    return total
  } catch {
    return undefined
  }
}
