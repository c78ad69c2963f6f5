import { execFile, type ExecFileException } from 'node:child_process'
import { launch, type Launcher } from './die-with-parent.js'
import { NetmonError } from './errors.js'

const INSTALL_IPROUTE2 = "install iproute2 or pass --ip <path to iproute2's ip>"

/** `ip -json addr show` of 500 links is about 0.5 MB; leave ample room. */
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024

interface IpOutput {
  stdout: string
  stderr: string
}

/*
 * Snapshot commands use node:child_process, not execa (the brief's choice for child
 * processes), for a measured reason: they run twice per snapshot on every change, and
 * execa's per-spawn overhead was 6 ms of CPU more than execFile's (10.2 vs 4.0 ms per
 * `ip -json addr show`, 100 runs each, on these x86 machines; several times that on the
 * small ARM boards netmon runs on). The monitor child does without it too (line-child.ts).
 */
const run = (ipPath: string, args: readonly string[], timeoutMs: number, launcher?: Launcher): Promise<IpOutput> =>
  new Promise((resolve, reject) => {
    const [command, commandArgs] = launcher === undefined ? [ipPath, args] : launch(launcher, ipPath, args)
    execFile(
      command,
      commandArgs,
      { encoding: 'utf8', maxBuffer: MAX_OUTPUT_BYTES, timeout: timeoutMs, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => (error === null ? resolve({ stdout, stderr }) : reject(describeIpFailure(ipPath, args, error, stderr, timeoutMs))),
    ).stdin?.end()
  })

const describeIpFailure = (
  ipPath: string,
  args: readonly string[],
  cause: ExecFileException,
  stderr: string,
  timeoutMs: number,
): NetmonError => {
  const command = `${ipPath} ${args.join(' ')}`
  if (cause.code === 'ENOENT' || cause.code === 'EACCES') {
    return new NetmonError('ERR_IP_NOT_FOUND', `cannot run ${ipPath} (${cause.code}): install iproute2 or pass --ip <path to ip>`, { cause })
  }
  if (cause.killed && cause.signal === 'SIGKILL') {
    return new NetmonError('ERR_IP_FAILED', `\`${command}\` timed out after ${timeoutMs} ms`, { cause })
  }
  const firstLine = stderr.trim().split('\n')[0]
  const how = cause.signal ? `signal ${cause.signal}` : `exit code ${String(cause.code)}`
  return new NetmonError('ERR_IP_FAILED', `\`${command}\` failed (${how}): ${firstLine || cause.message.split('\n')[0]}`, { cause })
}

/**
 * libnetlink's rtnl_dump_filter prints this (and still exits 0) when the kernel flags a
 * dump with NLM_F_DUMP_INTR: the table changed while it was being read, so the dump may
 * miss or repeat entries.
 */
const DUMP_INTERRUPTED = /Dump was interrupted and may be inconsistent/

/**
 * Runs `ip` with `args` and parses its stdout as JSON; failures become a NetmonError. An
 * interrupted dump is a failure too: the caller reads again rather than report from it.
 */
export const runIpJson = async (ipPath: string, args: readonly string[], timeoutMs: number, launcher?: Launcher): Promise<unknown> => {
  const { stdout, stderr } = await run(ipPath, args, timeoutMs, launcher)
  if (DUMP_INTERRUPTED.test(stderr)) {
    throw new NetmonError('ERR_IP_FAILED', `\`${ipPath} ${args.join(' ')}\`: dump was interrupted by a concurrent change and may be inconsistent; reading again`)
  }
  try {
    return JSON.parse(stdout) as unknown
  } catch (cause) {
    throw new NetmonError(
      'ERR_IP_NO_JSON',
      `\`${ipPath} ${args.join(' ')}\` did not print JSON (BusyBox ip has no -json): ${INSTALL_IPROUTE2}`,
      { cause },
    )
  }
}

/** An exec failure that was the command exiting with a status (not a signal, a timeout or ENOENT). */
const exitedWithStatus = (cause: unknown): boolean =>
  typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'number' && !('killed' in cause && cause.killed === true)


/**
 * Fails at start with one line naming what is needed when `ipPath` is missing or lacks
 * `-json` (BusyBox), instead of failing later on every snapshot. `ip -json link show`
 * cannot fail on an iproute2 that has -json, so a refusal of it (BusyBox `ip` exits 1
 * with its usage text, iproute2 before 4.14 says `Option "-json" is unknown`) means this
 * `ip` is the wrong one. With `launcher`, `ip` runs under it (`checkIpAndFindLauncher`);
 * failures then name `ip` although the launcher may be what failed.
 */
export const checkIp = async (ipPath: string, timeoutMs = 5000, launcher?: Launcher): Promise<void> => {
  let links: unknown
  try {
    links = await runIpJson(ipPath, ['-json', 'link', 'show'], timeoutMs, launcher)
  } catch (error) {
    if (!(error instanceof NetmonError) || !exitedWithStatus(error.cause)) throw error
    throw new NetmonError('ERR_IP_NO_JSON', `${error.message}; netmon needs an ip that takes -json (BusyBox ip does not): ${INSTALL_IPROUTE2}`, {
      cause: error,
    })
  }
  if (!Array.isArray(links)) {
    throw new NetmonError('ERR_IP_NO_JSON', `\`${ipPath} -json link show\` did not print a JSON array: ${INSTALL_IPROUTE2}`)
  }
}
