import { DIES_WITH_PARENT, findLauncher, type Launcher } from './die-with-parent.js'
import { checkIp } from './ip-command.js'

/** The two checks, with `checkIp`'s own timeout; `launcher` runs `ip` under it. */
export interface StartUpCheckers {
  checkIp(ipPath: string, launcher?: Launcher): Promise<void>
  findLauncher(): Promise<Launcher>
}

const REAL_CHECKERS: StartUpCheckers = { checkIp: (ipPath, launcher) => checkIp(ipPath, undefined, launcher), findLauncher }

/**
 * The `ip` check and the setpriv probe, in one child where both pass: `ip -json link show`
 * run under setpriv proves the `ip` and the launcher at once, and each start-up spawn holds
 * node's thread for 5-15 ms (BENCHMARKS.md, issue 12). When that child fails, the two run
 * apart, so the error (or the reason `ip monitor` starts plainly) names the one that failed.
 * Resolves with how `ip monitor` is started; rejects with the `ip` check's NetmonError.
 */
export const checkIpAndFindLauncher = async (ipPath: string, checkers: StartUpCheckers = REAL_CHECKERS): Promise<Launcher> => {
  try {
    await checkers.checkIp(ipPath, DIES_WITH_PARENT)
    return DIES_WITH_PARENT
  } catch {
    const [, launcher] = await Promise.all([checkers.checkIp(ipPath), checkers.findLauncher()])
    return launcher
  }
}
