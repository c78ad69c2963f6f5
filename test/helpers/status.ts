import type { SocketClient } from './socket-client.js'
import { waitUntil } from './wait.js'

/** The status of a `get_status` reply as the daemon sent it (the schema tests check its shape). */
export type DaemonStatusReply = Record<string, unknown> & { monitor: { pid: number } }

/** Asks the daemon for its status on `client` and returns it; rejects after `timeoutMs`. */
export const getStatus = async (client: SocketClient, timeoutMs = 10_000): Promise<DaemonStatusReply> => {
  const seen = client.lines.lines.length
  client.send({ command: 'get_status' })
  const reply = await client.lines.waitFor((line) => line.startsWith('{"success"'), timeoutMs, seen)
  return (JSON.parse(reply) as { status: DaemonStatusReply }).status
}

/**
 * Asks for the status every `everyMs` until `holds` says yes or `timeoutMs` has passed, and
 * returns the last status read: the caller checks it.
 */
export const statusWhen = async (
  client: SocketClient,
  holds: (status: DaemonStatusReply) => boolean,
  timeoutMs = 10_000,
  everyMs = 20,
): Promise<DaemonStatusReply> => {
  let status: DaemonStatusReply | undefined
  await waitUntil(async () => holds((status = await getStatus(client))), timeoutMs, everyMs)
  // waitUntil asks at least once.
  return status as DaemonStatusReply
}
