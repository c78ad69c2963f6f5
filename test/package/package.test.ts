import { existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { execa } from 'execa'
import t, { type Test } from 'tap'
import { createFakeDaemon, discoveryLine, report } from '../helpers/fake-daemon.js'
import { tempDir } from '../helpers/temp-dir.js'

/*
 * What `npm publish` would ship, checked on the real tarball: its file list, the linters
 * the ecosystem uses (publint, arethetypeswrong), and two CommonJS consumers (a plain
 * .cjs and a TypeScript `module: nodenext` project compiled with tsc) that install the
 * tarball and talk to a daemon over a real socket.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const bin = (name: string): string => join(ROOT, 'node_modules', '.bin', name)
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string }

interface PackResult {
  filename: string
  files: { path: string }[]
}

if (!existsSync(join(ROOT, 'dist', 'client', 'index.js'))) throw new Error('dist/ is missing: run `npm run build` (npm test does) before this test')

const packDir = tempDir(t, 'pack')
// --ignore-scripts: `prepare` would rebuild; the build under test is the one `npm test` just made.
const packed = await execa('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', packDir], { cwd: ROOT })
const [pack] = JSON.parse(packed.stdout) as PackResult[]
if (pack === undefined) throw new Error(`npm pack printed no result: ${packed.stdout}`)
const tarball = join(packDir, pack.filename)
const shipped = pack.files.map((file) => file.path)

t.test('the tarball holds what is linked and used, and nothing of the workshop', async (t) => {
  const dryRun = await execa('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT })
  t.same((JSON.parse(dryRun.stdout) as PackResult[])[0]?.files.map((file) => file.path).sort(), [...shipped].sort(), 'the dry run lists the same files')
  const required = [
    'LICENSE',
    'README.md',
    'package.json',
    'bin/netmon.js',
    'netmon.service',
    'dist/netmon/main.js',
    'dist/client/index.js',
    'dist/client/index.d.ts',
    'dist/schema/protocol.js',
    'dist/schema/validators.generated.js',
    'schema/netmon-protocol.schema.json',
    ...readdirSync(join(ROOT, 'docs')).map((name) => `docs/${name}`),
  ]
  for (const file of required) t.ok(shipped.includes(file), `ships ${file}`)
  const forbidden = [/^test\//, /^fixtures\//, /^\.ci\//, /^bench\//, /^src\//, /^scripts\//, /^examples\//, /^clients\//, /^coverage\//, /^\.tap\//, /node_modules\//, /\.map$/, /\.tsbuildinfo$/]
  for (const pattern of forbidden) t.same(shipped.filter((file) => pattern.test(file)), [], `ships nothing matching ${pattern}`)
  // The user documentation the README links (docs/) and the unit's Documentation= resolve
  // inside the installed package. Links to developer material (BENCHMARKS.md, fixtures/)
  // stay repository links: npm's site resolves them against `repository`.
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
  const links = [...readme.matchAll(/\]\((docs\/[^)#\s]+)/g)].map((match) => match[1] ?? '')
  t.ok(links.length > 0, 'the README links docs/')
  const unit = readFileSync(join(ROOT, 'netmon.service'), 'utf8').match(/^Documentation=file:.*\/node_modules\/netmon\/(.+)$/m)?.[1]
  for (const link of [...links, ...(unit === undefined ? [] : [unit])].filter((link) => !link.endsWith('/'))) {
    t.ok(shipped.includes(link), `the linked ${link} is shipped`)
  }
  const license = readFileSync(join(ROOT, 'LICENSE'), 'utf8')
  t.match(license, /^MIT License\n\nCopyright \(c\) 2026 netmon contributors\n/, 'LICENSE is the MIT text package.json names')
})

t.test('publint finds nothing on the tarball', async (t) => {
  const result = await execa(bin('publint'), ['run', '--strict', tarball], { reject: false })
  t.equal(result.exitCode, 0, result.stdout + result.stderr)
  t.match(result.stdout, /All good!/)
})

t.test('arethetypeswrong: types resolve for ESM, CommonJS (node16/nodenext) and bundlers', async (t) => {
  // --profile node16: node10 resolution (TypeScript's pre-exports `moduleResolution: node`)
  // cannot see subpath exports at all; the root still resolves there through `types`.
  // cjs-resolves-to-esm: attw does not model require(esm) yet (its issue #252); that a
  // CommonJS `require('netmon')` works is what the consumer tests below check, for real.
  const result = await execa(bin('attw'), [tarball, '--profile', 'node16', '--ignore-rules', 'cjs-resolves-to-esm', '--format', 'json'], { reject: false })
  t.equal(result.exitCode, 0, result.stderr || result.stdout.slice(0, 2000))
  const analysis = (JSON.parse(result.stdout) as { analysis: { entrypoints: Record<string, unknown> } }).analysis
  t.same(Object.keys(analysis.entrypoints).sort(), ['.', './package.json', './protocol', './schema.json'], 'every export was checked')
})

/** A folder with its own package.json that installed the tarball (dependencies from the npm cache). */
const consumer = async (t: Test, label: string): Promise<string> => {
  const dir = tempDir(t, label)
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `netmon-${label}`, private: true, type: 'commonjs' }))
  await execa('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--no-package-lock', tarball], { cwd: dir })
  return dir
}

/** The daemon the consumers talk to: a real Unix socket that greets with a discovery. */
const daemon = async (t: Test) => {
  const fake = createFakeDaemon(t)
  fake.greeting = discoveryLine([report('ens37', 2, ['192.168.1.50/24'], { gateway: '192.168.1.1' })])
  // get_interfaces is answered; anything else never is, so the client's timeout fires.
  fake.reply = (line) => (line.includes('get_interfaces') ? `${JSON.stringify({ success: true, interfaces: [] })}\n` : undefined)
  await fake.start()
  return fake
}

/** The program both consumers run (as CommonJS): discovery, one request, the cache's answer. */
const PROGRAM = (imports: string): string => `${imports}
const main = async (socket: string): Promise<void> => {
  const client = connect({ socket, backoff: { initialMs: 20, maxMs: 200 } })
  const cache = new InterfaceCache()
  for await (const event of client) {
    cache.apply(event)
    if (event.kind !== 'discovery') continue
    const reply = await client.request({ command: 'get_interfaces' })
    const error = await client.request({ command: 'unanswered' }, { timeoutMs: 50 }).catch((error: unknown) => error)
    process.stdout.write(JSON.stringify({
      found: cache.interfaceFor('192.168.1.77')?.interface,
      reply,
      timeoutIsNetmonError: error instanceof NetmonClientError,
      version: require('netmon/package.json').version,
      schemaId: require('netmon/schema.json').$id,
    }))
    client.close()
  }
}
main(process.argv[2] ?? '').catch((error: unknown) => {
  process.stderr.write(String(error))
  process.exitCode = 1
})
`
const EXPECTED = { found: 'ens37', reply: { success: true, interfaces: [] }, timeoutIsNetmonError: true, version: pkg.version, schemaId: 'urn:netmon:protocol' }

t.test('CommonJS: a plain .cjs require()s the installed package and talks to the daemon', async (t) => {
  const dir = await consumer(t, 'cjs')
  const fake = await daemon(t)
  // The TypeScript program with its types stripped by hand: what a .cjs user writes.
  const source = PROGRAM("const { connect, InterfaceCache, NetmonClientError } = require('netmon')")
    .replace(/\(socket: string\): Promise<void>/, '(socket)')
    .replace(/\(error: unknown\)/g, '(error)')
  writeFileSync(join(dir, 'client.cjs'), source)
  const result = await execa(process.execPath, ['client.cjs', fake.path], { cwd: dir, reject: false })
  t.equal(result.exitCode, 0, result.stderr)
  t.same(JSON.parse(result.stdout || '{}'), EXPECTED)
  t.notMatch(result.stderr, /Warning|Error/, 'nothing on stderr: no warning, no error')
  // A top-level await anywhere in an export's graph would make require() throw ERR_REQUIRE_ASYNC_MODULE.
  const protocol = await execa(process.execPath, ['-e', "process.stdout.write(require('netmon/protocol').NetworkDiscoverySchema.title)"], { cwd: dir, reject: false })
  t.equal(protocol.stdout, 'NetworkDiscovery', `netmon/protocol loads from CommonJS too ${protocol.stderr}`)
  const cli = await execa(join(dir, 'node_modules', '.bin', 'netmon'), ['--version'], { reject: false })
  t.equal(cli.stdout.trim(), pkg.version, 'the installed bin runs too')
})

t.test('CommonJS: a TypeScript `module: nodenext` project type-checks, compiles to require() and runs', async (t) => {
  const dir = await consumer(t, 'tscjs')
  const fake = await daemon(t)
  mkdirSync(join(dir, 'src'))
  writeFileSync(join(dir, 'src', 'main.ts'), PROGRAM("import { connect, InterfaceCache, NetmonClientError } from 'netmon'"))
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'ES2022',
        strict: true,
        outDir: 'dist',
        rootDir: 'src',
        types: ['node'],
        typeRoots: [join(ROOT, 'node_modules', '@types')],
      },
      include: ['src'],
    }),
  )
  const tsc = await execa(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], { cwd: dir, reject: false })
  t.equal(tsc.exitCode, 0, `tsc: ${tsc.stdout}${tsc.stderr}`)
  const emitted = readFileSync(join(dir, 'dist', 'main.js'), 'utf8')
  t.match(emitted, /require\("netmon"\)/, 'tsc emitted CommonJS')
  const result = await execa(process.execPath, ['dist/main.js', fake.path], { cwd: dir, reject: false })
  t.equal(result.exitCode, 0, result.stderr)
  t.same(JSON.parse(result.stdout || '{}'), EXPECTED)
})
