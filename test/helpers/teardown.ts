/**
 * The part of a tap test that the shared helpers use to clean up after themselves. tap's
 * `Test` has it; the bench passes its own, so these helpers never load tap.
 */
export interface Teardown {
  teardown(fn: () => unknown): void
}
