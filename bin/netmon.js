#!/usr/bin/env sh
':' //; exec node --optimize-for-size --max-semi-space-size=1 "$0" "$@"
// Line 2 is read by sh (the shebang) and by node: sh runs `:` and replaces itself with node
// started with these flags, which NODE_OPTIONS refuses (--optimize-for-size) yet every
// launch needs (unit, image, npm -g): peak RSS under change load 71-77 -> 64-66 MB
// (BENCHMARKS.md, issue 10). To node, line 2 is a string and a comment.
import { main } from '../dist/netmon/main.js'

main(process.argv)
