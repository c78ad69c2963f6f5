import fc from 'fast-check'

/** The seed of every property test: fixed (CI repeats the same runs), or FC_SEED to explore. */
export const FUZZ_SEED = Number(process.env.FC_SEED ?? 20261202)

/** A value nested `depth` deep, as text: the shape that once crashed the daemon. */
export const nestedText = (depth: number, kind: 'array' | 'object'): string =>
  kind === 'array' ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`

/**
 * A client line, described compactly (a counterexample stays readable) and built by
 * `lineOf`: random bytes, any JSON (also as a `command`), values nested up to 30,000 deep,
 * long names, real commands. Always under the 64 KiB line limit.
 */
export type LineSpec =
  | { kind: 'bytes'; bytes: number[] }
  | { kind: 'json'; value: unknown; asCommand: boolean }
  | { kind: 'nested'; depth: number; shape: 'array' | 'object'; asCommand: boolean }
  | { kind: 'name'; name: string }
  | { kind: 'literal'; text: string }

export const lineSpec: fc.Arbitrary<LineSpec> = fc.oneof(
  fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 300 }).map((bytes) => ({ kind: 'bytes' as const, bytes })),
  fc.record({ kind: fc.constant('json' as const), value: fc.jsonValue({ maxDepth: 5 }), asCommand: fc.boolean() }),
  fc.oneof(
    fc.record({ kind: fc.constant('nested' as const), depth: fc.integer({ min: 1, max: 30_000 }), shape: fc.constant('array' as const), asCommand: fc.boolean() }),
    fc.record({ kind: fc.constant('nested' as const), depth: fc.integer({ min: 1, max: 10_000 }), shape: fc.constant('object' as const), asCommand: fc.boolean() }),
  ),
  fc.record({ kind: fc.constant('name' as const), name: fc.string({ unit: 'grapheme', maxLength: 2000 }) }),
  fc.record({ kind: fc.constant('literal' as const), text: fc.constantFrom('{"command":"get_status"}', '{"command":"get_interfaces"}', '', '   ', '{}', 'null') }),
)

/** The bytes of one line described by `spec`, without its newline. */
export const lineOf = (spec: LineSpec): Buffer => {
  switch (spec.kind) {
    case 'bytes':
      return Buffer.from(spec.bytes.map((byte) => (byte === 10 ? 32 : byte)))
    case 'json':
      return Buffer.from(JSON.stringify(spec.asCommand ? { command: spec.value } : spec.value) ?? 'null')
    case 'nested':
      return Buffer.from(spec.asCommand ? `{"command":${nestedText(spec.depth, spec.shape)}}` : nestedText(spec.depth, spec.shape))
    case 'name':
      return Buffer.from(JSON.stringify({ command: spec.name }))
    case 'literal':
      return Buffer.from(spec.text)
  }
}

/** Whether the daemon answers `line` (it skips lines that are blank once decoded and trimmed). */
export const isAnswered = (line: Buffer): boolean => line.toString('utf8').trim() !== ''
