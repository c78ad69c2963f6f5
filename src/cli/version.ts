import { readFileSync } from 'node:fs'

const readManifest = (): string => readFileSync(new URL('../../package.json', import.meta.url), 'utf8')

/** The `version` of the package.json that `read` returns; '0.0.0' when it cannot be read or has none. */
export const readVersion = (read: () => string = readManifest): string => {
  try {
    const manifest: unknown = JSON.parse(read())
    const version = typeof manifest === 'object' && manifest !== null && 'version' in manifest ? manifest.version : undefined
    return typeof version === 'string' ? version : '0.0.0'
  } catch {
    return '0.0.0'
  }
}

/** The package version, read once from package.json beside dist/. */
export const VERSION: string = readVersion()
