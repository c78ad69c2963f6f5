import { readFileSync } from 'node:fs'
import t from 'tap'
import { readVersion, VERSION } from '../../src/cli/version.js'

t.test('VERSION is the package version', async (t) => {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
  t.equal(VERSION, manifest.version)
  t.match(VERSION, /^\d+\.\d+\.\d+/)
})

t.test('a package.json that cannot be read, or has no string version, reads as 0.0.0', async (t) => {
  const cases: [label: string, read: () => string, expected: string][] = [
    ['a version', () => '{"name":"netmon","version":"1.2.3"}', '1.2.3'],
    ['no file', () => {
      throw Object.assign(new Error('ENOENT: no such file or directory'), { code: 'ENOENT' })
    }, '0.0.0'],
    ['not JSON', () => 'version: 1.2.3', '0.0.0'],
    ['no version', () => '{"name":"netmon"}', '0.0.0'],
    ['a number', () => '{"version":1}', '0.0.0'],
    ['an array', () => '["1.2.3"]', '0.0.0'],
    ['null', () => 'null', '0.0.0'],
    ['a string', () => '"1.2.3"', '0.0.0'],
  ]
  for (const [label, read, expected] of cases) t.equal(readVersion(read), expected, label)
})
