import { mkdirSync, writeFileSync } from 'node:fs'
import { protocolJsonSchemaText } from './json-schema.js'

/** `npm run schema`: writes schema/netmon-protocol.schema.json from the TypeBox definitions. */
const target = new URL('../../schema/netmon-protocol.schema.json', import.meta.url)
mkdirSync(new URL('.', target), { recursive: true })
writeFileSync(target, protocolJsonSchemaText())
process.stdout.write(`wrote ${target.pathname}\n`)
