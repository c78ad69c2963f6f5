import { sleep } from './watched-namespace.js'

/** Polls `condition` every `everyMs` until it holds (true) or `timeoutMs` has passed (false). */
export const waitUntil = async (condition: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 20): Promise<boolean> => {
  const giveUp = Date.now() + timeoutMs
  for (;;) {
    if (await condition()) return true
    if (Date.now() > giveUp) return false
    await sleep(everyMs)
  }
}
