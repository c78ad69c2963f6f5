import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import t from 'tap'
import { parseGlobs } from '../../src/cli/parse-options.js'
import { NETMON_BIN } from '../helpers/daemon-process.js'
import { runProgram as run } from './run-program.js'

t.test('an unknown command is named, with the closest command', async (t) => {
  for (const [word, suggestion] of [
    ['helth', 'health'],
    ['wtch', 'watch'],
    ['recrod', 'record'],
    ['hlp', 'help'],
  ] as const) {
    const result = await run([word])
    t.equal(result.error?.code, 'commander.unknownCommand', word)
    t.equal(result.err, `error: unknown command '${word}' (Did you mean ${suggestion}?)\n`, `${word}: one line`)
  }
  t.equal((await run(['zzz'])).err, "error: unknown command 'zzz'\n", 'no suggestion when nothing is close')
  t.equal((await run(['--stdout', 'helth'])).error?.code, 'commander.unknownCommand', 'after options too')
  t.notMatch((await run(['helth'])).err, /too many arguments/)
})

t.test('help [command] works as git and commander do', async (t) => {
  const root = await run(['help'])
  t.match(root.out, /^Usage: netmon \[options\] \[command\]\n/, 'help: the program help on stdout')
  t.match(root.out, /help \[command\] +display help for command/, 'help lists itself')
  t.equal(root.err, '')
  t.equal(root.exitCode, 0)
  const health = await run(['help', 'health'])
  t.match(health.out, /^Usage: netmon health \[options\]\n/, 'help health: the command help')
  t.match(health.out, /--timeout <ms>/)
  t.equal(health.exitCode, 0)
  const unknown = await run(['help', 'helth'])
  t.equal(unknown.err, "error: unknown command 'helth' (Did you mean health?)\n", 'help of an unknown command names it')
  t.equal(unknown.out, '')
})

t.test('--help shows the socket mode in octal', async (t) => {
  const help = await run(['--help'])
  t.match(help.out, /--socket-mode <mode> +octal mode of the socket file \(default: 0666\)/)
  t.notMatch(help.out, /438/)
  t.match((await run(['record', '--help'])).out, /\(default: 0666\)/, 'record too')
})

t.test('--ignore refuses a glob it cannot match as written, at start-up, in one line', async (t) => {
  const result = await run(['--ignore', 'eth0,eth[0-9', '--socket', '/nonexistent/netmon.sock'])
  t.equal(result.error?.code, 'commander.invalidArgument')
  t.equal(
    result.err,
    `error: option '--ignore <globs>' argument 'eth0,eth[0-9' is invalid. "eth[0-9": unclosed [ at position 4 (write \\[ for a literal [)\n`,
  )
  t.match((await run(['--ignore', '!eth0'])).err, /"!eth0": a leading ! \(exclusion\) is not supported/)
})

t.test('--ignore adds up across commas and repeats, skipping empty entries', async (t) => {
  t.same(parseGlobs('tap*, eth[0-9],,', parseGlobs('br-*')), ['br-*', 'tap*', 'eth[0-9]'])
  t.throws(() => parseGlobs('ok*,eth[0-9', ['br-*']), { code: 'commander.invalidArgument' })
})

const execNetmon = promisify(execFile)

t.test('the real process: exit code 1 and the one line on stderr', async (t) => {
  const failed = await execNetmon(process.execPath, [NETMON_BIN, 'helth']).then(
    () => undefined,
    (error: { code: number; stdout: string; stderr: string }) => error,
  )
  t.match(failed, { code: 1, stdout: '', stderr: "error: unknown command 'helth' (Did you mean health?)\n" })
  const help = await execNetmon(process.execPath, [NETMON_BIN, 'help', 'watch'])
  t.match(help.stdout, /^Usage: netmon watch \[options\]/)
})
