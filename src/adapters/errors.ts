export type NetmonErrorCode =
  | 'ERR_IP_NOT_FOUND'
  | 'ERR_IP_NO_JSON'
  | 'ERR_IP_FAILED'
  | 'ERR_SOCKET_IN_USE'
  | 'ERR_SOCKET_PATH'
  | 'ERR_RECORD_OUT'
  | 'ERR_LOCK'

/** The one error class for exceptional failures: a stable code and a message that says what to do. */
export class NetmonError extends Error {
  readonly code: NetmonErrorCode

  constructor(code: NetmonErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'NetmonError'
    this.code = code
  }
}
