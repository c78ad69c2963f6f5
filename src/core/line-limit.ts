/**
 * asyncio's default StreamReader limit. A client that reads lines with it (the reference
 * agent does) fails `readline()` on a line longer than this, newline not counted, and
 * reconnects to the same discovery in a loop. One interface with one address and a gateway
 * encodes to about 247 bytes, so a discovery passes it at about 265 interfaces.
 */
export const ASYNCIO_DEFAULT_LINE_LIMIT = 64 * 1024

/** What to do about the size of a freshly encoded discovery line. */
export interface LineLimitCheck {
  /** Whether the line is over the limit now (pass it back as `wasOver` next time). */
  over: boolean
  /** Set only when the line crossed the limit since the last check: log it once. */
  warning: string | undefined
}

/**
 * Warns when the discovery line first passes the limit, and again only after it went back
 * under and passed it again: a growing or steady large discovery logs one line, not one per
 * client. `lineBytes` is the UTF-8 length without the newline.
 */
export const checkLineLimit = (wasOver: boolean, lineBytes: number, limit = ASYNCIO_DEFAULT_LINE_LIMIT): LineLimitCheck => {
  const over = lineBytes > limit
  if (!over || wasOver) return { over, warning: undefined }
  return {
    over,
    warning:
      `the discovery line is ${lineBytes} bytes, over ${limit / 1024} KiB: a client that reads lines with asyncio's ` +
      'default limit fails on it and reconnects in a loop; raise its limit (limit= on asyncio.open_unix_connection), see docs/migrating.md',
  }
}
