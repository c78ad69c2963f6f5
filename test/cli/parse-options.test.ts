import t, { type Test } from 'tap'
import { parseLogLevel, parseMode, parseMs, parsePositiveInt, parseSocketPath } from '../../src/cli/parse-options.js'

type Parser<T> = (value: string) => T

/** Each accepted value parses to its number; each refused one throws commander's InvalidArgumentError naming it. */
const table = <T>(t: Test, parse: Parser<T>, accepted: [string, T][], refused: string[], reason: RegExp): void => {
  for (const [value, expected] of accepted) t.equal(parse(value), expected, `${JSON.stringify(value)} -> ${String(expected)}`)
  for (const value of refused) {
    t.throws(() => parse(value), { code: 'commander.invalidArgument', message: reason }, `${JSON.stringify(value)} refused`)
    t.throws(() => parse(value), { message: `got ${JSON.stringify(value)}` }, `${JSON.stringify(value)}: the message names it`)
  }
}

t.test('--debounce, --max-wait, --duration, --timeout: whole milliseconds, 0 allowed', async (t) => {
  table(
    t,
    parseMs,
    [['3000', 3000], ['0', 0], [' 250 ', 250], ['007', 7], ['9007199254740991', Number.MAX_SAFE_INTEGER]],
    ['', ' ', 'abc', '1.5', '-1', '+5', '1e3', '0x10', '3s', '9007199254740993', '99999999999999999999'],
    /^expected whole milliseconds \(e\.g\. 3000\), got /,
  )
})

t.test('--max-clients, --snapshot-timeout: a whole number of at least 1', async (t) => {
  table(t, parsePositiveInt, [['1', 1], ['128', 128], [' 5000', 5000]], ['0', '00', '', 'x', '-3', '2.5', '99999999999999999999'], /^expected a whole number of at least 1, got /)
})

t.test('--socket-mode: three octal digits, with or without a leading 0', async (t) => {
  table(t, parseMode, [['0666', 0o666], ['666', 0o666], ['0600', 0o600], ['777', 0o777], ['000', 0]], ['0888', '66', '00666', '6666', 'rw-rw-rw-', '0o666', ''], /^expected an octal file mode like 0666, got /)
})

t.test('--log-level: one of the four levels, as written', async (t) => {
  table(t, parseLogLevel, [['debug', 'debug'], ['info', 'info'], ['warn', 'warn'], ['error', 'error']], ['INFO', 'warning', 'trace', ''], /^expected debug, info, warn or error, got /)
})

t.test('--socket: a path made absolute from the working folder, refused when the kernel could not bind it', async (t) => {
  t.equal(parseSocketPath('/run/netmon.sock', '/tmp'), '/run/netmon.sock')
  t.equal(parseSocketPath('netmon.sock', '/run'), '/run/netmon.sock')
  t.equal(parseSocketPath('47123', '/run'), '/run/47123', 'a number is a file name, never a TCP port')
  t.equal(parseSocketPath('../x/./netmon.sock', '/run/a'), '/run/x/netmon.sock')
  t.equal(parseSocketPath(`/${'a'.repeat(105)}`, '/'), `/${'a'.repeat(105)}`, '107 bytes with its NUL')
  t.equal(parseSocketPath('netmon.sock'), `${process.cwd()}/netmon.sock`, 'the process working folder by default')
  const refused: [string, RegExp][] = [
    ['', /^expected a socket file path, got ""$/],
    ['a\0b', /^expected a socket file path, got "a\\u0000b"$/],
    [`/${'a'.repeat(107)}`, /is 108 bytes; Unix sockets take at most 107: pass a shorter one$/],
    ['x'.repeat(110), /is \d+ bytes; Unix sockets take at most 107/],
  ]
  for (const [value, reason] of refused) {
    t.throws(() => parseSocketPath(value, '/run'), { code: 'commander.invalidArgument', message: reason }, JSON.stringify(value.slice(0, 20)))
  }
})
