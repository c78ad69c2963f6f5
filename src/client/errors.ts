export type NetmonClientErrorCode = 'ERR_REQUEST_TIMEOUT' | 'ERR_DISCONNECTED' | 'ERR_CLIENT_CLOSED'

/** Why a `request` failed: a stable `code` and a message that says what to do. */
export class NetmonClientError extends Error {
  readonly code: NetmonClientErrorCode

  constructor(code: NetmonClientErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'NetmonClientError'
    this.code = code
  }
}
