import { fail, ok, type Result } from './result.js'

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/

/** Parses dotted-quad IPv4 text into an unsigned 32-bit number. */
export const parseIpv4 = (text: string): Result<number> => {
  const parts = text.split('.')
  if (parts.length !== 4 || !parts.every((part) => OCTET.test(part))) {
    return fail(`not an IPv4 address: ${JSON.stringify(text)}`)
  }
  return ok(parts.reduce((sum, part) => sum * 256 + Number(part), 0))
}

/** Formats an unsigned 32-bit number as dotted-quad IPv4 text. */
export const formatIpv4 = (value: number): string =>
  [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.')

/** The network part of `address` under a prefix of `prefixlen` bits. */
export const networkOf = (address: number, prefixlen: number): number => {
  const hostBits = 32 - prefixlen
  return Math.floor(address / 2 ** hostBits) * 2 ** hostBits
}

/** True when `address` lies inside `network/prefixlen`. */
export const contains = (network: number, prefixlen: number, address: number): boolean =>
  networkOf(address, prefixlen) === network
