// @ts-check
/**
 * `npm run build [-- --sourceMap]`: dist/ from scratch.
 * 1. scripts/generate-validators.js: the client's validators from the JSON Schema.
 * 2. tsc: dist/ for the library (the client, netmon/protocol) and its types.
 * 3. esbuild: the daemon as a few files in dist/netmon/, which bin/netmon.js loads.
 *
 * Why a bundle: node's ESM loader pays per module. Loading the daemon's 58 modules one by one
 * took 95-110 ms of a 280 ms start to ready on the test VM; bundled, 50-70 ms (BENCHMARKS.md,
 * issue 12). The subcommands stay in chunks of their own, loaded when they run, and
 * packages from node_modules are imported as they are, not copied in.
 *
 * `--sourceMap` (npm test) gives tsc's files and the bundle source maps to src/, so coverage
 * of a daemon run as a child process is counted against src/ like that of the tests.
 */
import { execFileSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = fileURLToPath(new URL('../', import.meta.url))
const tscArgs = process.argv.slice(2)
const sourceMaps = tscArgs.includes('--sourceMap')
/** @param {string} script @param {string[]} args */
const run = (script, args) => execFileSync(process.execPath, [script, ...args], { cwd: root, stdio: 'inherit' })

rmSync(join(root, 'dist'), { recursive: true, force: true })
run('scripts/generate-validators.js', [])
run(createRequire(import.meta.url).resolve('typescript/bin/tsc'), ['-p', 'tsconfig.build.json', ...tscArgs])
await build({
  absWorkingDir: root,
  entryPoints: { main: 'src/cli/main.ts' },
  // Two folders below the package, as dist/cli/ is: version.ts finds ../../package.json.
  outdir: 'dist/netmon',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  tsconfig: 'tsconfig.build.json',
  // The maps name src/ files; coverage reads them from disk (and their c8 ignore comments).
  sourcemap: sourceMaps ? 'linked' : false,
  sourcesContent: false,
  logLevel: 'warning',
})
