import { readFileSync } from 'node:fs'

/** The package version, read once from package.json beside dist/. */
export const VERSION: string = (() => {
  try {
    const manifest: unknown = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'))
    const version = typeof manifest === 'object' && manifest !== null && 'version' in manifest ? manifest.version : undefined
    return typeof version === 'string' ? version : '0.0.0'
  } catch {
    return '0.0.0'
  }
})()
