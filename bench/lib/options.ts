import { parseArgs } from 'node:util'

/** Sizes and switches of one bench run; every size has a flag. */
export interface BenchOptions {
  json: boolean
  quick: boolean
  only: string[]
  latencyChanges: number
  debounceSamples: number
  stormSizes: number[]
  stormInterfaces: number
  connectSizes: number[]
  fanoutSizes: number[]
  fanoutChanges: number
  idleSeconds: number
  interfaceSizes: number[]
  /** Address changes of the memory scenario's first load (through 4 interfaces). */
  memoryChanges: number
  /** Never-reused interface names of the memory scenario's second load. */
  memoryNames: number
  /** Routes in the main table for the route-table scenario. */
  routeSizes: number[]
  /** `--ab <ref>`: the git commit whose daemon the same run compares against this checkout's. */
  ab: string | undefined
  /** Alternations of the A/B run (A, B, A, B, ...). */
  abRounds: number
}

export const SCENARIOS = ['latency', 'storm', 'connect', 'fanout', 'footprint', 'interfaces', 'import-cost', 'memory', 'routes'] as const

export const USAGE = `usage: npm run bench -- [options]   (as root: it creates network namespaces)

  --json                   print the figures as one JSON document on stdout (progress on stderr)
  --quick                  small sizes: a smoke run in well under 2 minutes
  --only <list>            comma-separated subset of: ${SCENARIOS.join(', ')}
  --latency-changes <n>    changes per latency series (default 50; quick 15)
  --debounce-samples <n>   changes with the default 3 s debounce (default 4; quick 1)
  --storm-sizes <list>     operations per storm (default 1000,5000,20000; quick 1000)
  --storm-interfaces <n>   interfaces the storm spreads over (default 20)
  --connect-sizes <list>   clients connecting at once (default 100,500; quick 100)
  --fanout-sizes <list>    connected clients for fan-out (default 10,100,500; quick 10,100)
  --fanout-changes <n>     changes per fan-out size (default 5; quick 3)
  --idle-seconds <n>       idle window of the footprint (default 30; quick 5)
  --interface-sizes <list> reported interfaces (default 10,100,500; quick 10,100)
  --memory-changes <n>     address changes of the memory load (default 800; quick 200)
  --memory-names <n>       never-reused interface names of the memory load (default 1600; quick 400)
  --route-sizes <list>     routes in the main table (default 10000,100000,1000000; quick 10000,100000)
  --ab <git ref>           A/B: the same scenarios against the daemon built from <git ref> (A, in a
                           temporary worktree) and this checkout's (B), alternated; prints the
                           goals' figures side by side. E.g. --ab HEAD~1
  --ab-rounds <n>          alternations of A and B (default 1)
  -h, --help               this text
`

const list = (value: string | undefined, fallback: number[]): number[] => {
  if (value === undefined) return fallback
  const numbers = value.split(',').map((part) => Number(part.trim()))
  if (numbers.some((n) => !Number.isSafeInteger(n) || n < 1)) throw new Error(`expected a comma-separated list of positive integers, got ${JSON.stringify(value)}`)
  return numbers
}

const int = (value: string | undefined, fallback: number, name: string): number => {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} expects a positive integer, got ${JSON.stringify(value)}`)
  return n
}

/** Parses argv (after the script); returns undefined for --help. Throws on a bad flag. */
export const parseOptions = (argv: string[]): BenchOptions | undefined => {
  const { values } = parseArgs({
    args: argv,
    options: {
      json: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      'latency-changes': { type: 'string' },
      'debounce-samples': { type: 'string' },
      'storm-sizes': { type: 'string' },
      'storm-interfaces': { type: 'string' },
      'connect-sizes': { type: 'string' },
      'fanout-sizes': { type: 'string' },
      'fanout-changes': { type: 'string' },
      'idle-seconds': { type: 'string' },
      'interface-sizes': { type: 'string' },
      'memory-changes': { type: 'string' },
      'memory-names': { type: 'string' },
      'route-sizes': { type: 'string' },
      ab: { type: 'string' },
      'ab-rounds': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  })
  if (values.help === true) return undefined
  const quick = values.quick === true
  const only = values.only === undefined ? [...SCENARIOS] : values.only.split(',').map((name) => name.trim())
  const unknown = only.filter((name) => !(SCENARIOS as readonly string[]).includes(name))
  if (unknown.length > 0) throw new Error(`--only: unknown scenario ${unknown.join(', ')}; expected ${SCENARIOS.join(', ')}`)
  return {
    json: values.json === true,
    quick,
    only,
    latencyChanges: int(values['latency-changes'], quick ? 15 : 50, 'latency-changes'),
    debounceSamples: int(values['debounce-samples'], quick ? 1 : 4, 'debounce-samples'),
    stormSizes: list(values['storm-sizes'], quick ? [1000] : [1000, 5000, 20_000]),
    stormInterfaces: int(values['storm-interfaces'], 20, 'storm-interfaces'),
    connectSizes: list(values['connect-sizes'], quick ? [100] : [100, 500]),
    fanoutSizes: list(values['fanout-sizes'], quick ? [10, 100] : [10, 100, 500]),
    fanoutChanges: int(values['fanout-changes'], quick ? 3 : 5, 'fanout-changes'),
    idleSeconds: int(values['idle-seconds'], quick ? 5 : 30, 'idle-seconds'),
    interfaceSizes: list(values['interface-sizes'], quick ? [10, 100] : [10, 100, 500]),
    memoryChanges: int(values['memory-changes'], quick ? 200 : 800, 'memory-changes'),
    memoryNames: int(values['memory-names'], quick ? 400 : 1600, 'memory-names'),
    routeSizes: list(values['route-sizes'], quick ? [10_000, 100_000] : [10_000, 100_000, 1_000_000]),
    ab: values.ab,
    abRounds: int(values['ab-rounds'], 1, 'ab-rounds'),
  }
}

/** Progress goes to stderr so that --json keeps stdout clean. */
export const progress = (message: string): void => void process.stderr.write(`bench: ${message}\n`)
