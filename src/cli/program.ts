import { Command, Option } from 'commander'
import { closestName } from './closest-name.js'
import type { CliIo } from './io.js'
import { parseGlobs, parseLogLevel, parseMode, parseMs, parsePositiveInt, parseSocketPath } from './parse-options.js'
import type { RecordOptions } from './record-command.js'
import { DEFAULT_SOCKET, serve, type ServeOptions } from './serve.js'
import { VERSION } from './version.js'

/** Commander hands a parser the previous value as its second argument: keep it away from the cwd. */
const socketPath = (value: string): string => parseSocketPath(value)

const addDaemonOptions = (command: Command): Command =>
  command
    .option('--stdout', 'print every event as one JSON line on stdout', false)
    .option('--debounce <ms>', 'quiet time before an interface is reported', parseMs, 3000)
    .option('--max-wait <ms>', 'longest an interface that never goes quiet waits', parseMs, 10_000)
    .addOption(
      new Option('--ignore <globs>', 'comma-separated interface globs (* ? [0-9] [!a] \\) to ignore besides lo, docker0, veth*')
        .argParser(parseGlobs)
        .default([], 'none'),
    )
    .option('--accept-unknown-operstate', 'also report operstate UNKNOWN links whose flags say UP and LOWER_UP', false)
    .option('--ip <path>', 'the iproute2 ip binary', 'ip')
    .addOption(new Option('--log-level <level>', 'debug, info, warn or error').argParser(parseLogLevel).default('info'))
    .addOption(new Option('--socket-mode <mode>', 'octal mode of the socket file').argParser(parseMode).default(0o666, '0666'))
    .option('--max-clients <n>', 'most clients connected at once', parsePositiveInt, 128)
    .option('--snapshot-timeout <ms>', 'kill and retry an ip snapshot command that takes longer', parsePositiveInt, 5000)

/*
 * Subcommands are imported when they run: the daemon must not pay at start-up (time, RSS)
 * for the client library that `watch` loads, nor for the fixture code of record/replay.
 */

/**
 * The CLI as a factory over injected I/O: `netmon` (the daemon), `record`, `replay`,
 * `health` and `watch`. Each action resolves with its exit code through `io.setExitCode`.
 */
export const createProgram = (io: CliIo): Command => {
  const program = new Command('netmon')
    .description('Watches the host network with iproute2 and serves interface events as JSON lines on a Unix socket')
    .version(VERSION)
    .configureOutput({ writeOut: io.writeOut, writeErr: io.writeErr })
    .enablePositionalOptions()

  addDaemonOptions(program)
    .option('--socket <path>', 'Unix socket to serve', socketPath, DEFAULT_SOCKET)
    .option('--no-socket', 'serve no socket (use with --stdout)')
    .action(async (options: ServeOptions, command: Command) => {
      // A word that is not a command reaches the root action as an operand.
      const [word] = command.args
      if (word !== undefined) unknownCommand(command, word)
      io.setExitCode(await serve(options, io))
    })

  addDaemonOptions(program.command('record'))
    .description('run the daemon and record its inputs and events into a fixture folder')
    .requiredOption('--out <dir>', 'fixture folder to write')
    .option('--description <text>', 'what the recording shows', '')
    .option('--duration <ms>', 'stop after this long (default: on SIGINT/SIGTERM)', parseMs, 0)
    .option('--socket <path>', 'also serve this socket while recording', socketPath)
    .action(async (options: Omit<RecordOptions, 'socket'> & { socket?: string }) =>
      io.setExitCode(await (await import('./record-command.js')).recordCommand({ ...options, socket: options.socket ?? false }, io)),
    )

  program
    .command('replay <dir>')
    .description('print the events the core produces from a recorded fixture, without waiting')
    .action(async (dir: string) => io.setExitCode((await import('./replay-command.js')).replayCommand(dir, io)))

  program
    .command('health')
    .description('exit 0 when the daemon serves a discovery in time (the container HEALTHCHECK)')
    .option('--socket <path>', 'socket to probe', socketPath, DEFAULT_SOCKET)
    .option('--timeout <ms>', 'how long to wait for the discovery', parseMs, 3000)
    .action(async (options: { socket: string; timeout: number }) => io.setExitCode(await (await import('./health-command.js')).healthCommand(options, io)))

  program
    .command('watch')
    .description('print the events the daemon sends, reconnecting when it restarts')
    .option('--socket <path>', 'socket to watch', socketPath, DEFAULT_SOCKET)
    .option('--json', 'print raw JSON lines', false)
    .action(async (options: { socket: string; json: boolean }) => io.setExitCode(await (await import('./watch-command.js')).watchCommand(options, io)))

  // As git and commander's own: commander drops its implicit one when the root has an action.
  program
    .command('help [command]')
    .description('display help for command')
    .action((name: string | undefined) => {
      const command = name === undefined ? program : program.commands.find((candidate) => candidate.name() === name)
      if (command === undefined && name !== undefined) unknownCommand(program, name)
      command?.outputHelp()
      io.setExitCode(0)
    })

  // Set last: subcommands copy it when they are made, and must keep refusing extra words.
  program.allowExcessArguments(true)
  return program
}

/** Names the word as an unknown command, with the closest command name, as commander does for programs without a root action. */
const unknownCommand = (program: Command, word: string): never => {
  const suggestion = closestName(
    word,
    program.commands.map((command) => command.name()),
  )
  program.error(`error: unknown command '${word}'${suggestion === undefined ? '' : ` (Did you mean ${suggestion}?)`}`, {
    code: 'commander.unknownCommand',
  })
}
