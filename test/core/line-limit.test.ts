import fc from 'fast-check'
import t from 'tap'
import { ASYNCIO_DEFAULT_LINE_LIMIT, checkLineLimit } from '../../src/core/line-limit.js'
import { encodeLine, formatTimestamp, type InterfaceReport } from '../../src/core/protocol.js'

const SEED = 1302

t.test('one warning when the discovery first passes 64 KiB, none while it stays over', async (t) => {
  t.equal(ASYNCIO_DEFAULT_LINE_LIMIT, 65536)
  t.same(checkLineLimit(false, 65536), { over: false, warning: undefined }, 'asyncio reads exactly 64 KiB (newline not counted)')
  const first = checkLineLimit(false, 65537)
  t.equal(first.over, true)
  t.match(first.warning, /^the discovery line is 65537 bytes, over 64 KiB: .*limit= on asyncio\.open_unix_connection/)
  t.same(checkLineLimit(true, 90000), { over: true, warning: undefined }, 'still over: no second warning')
  t.same(checkLineLimit(true, 1000), { over: false, warning: undefined }, 'back under: silent')
  t.equal(checkLineLimit(false, 70000).over, true)
  t.type(checkLineLimit(false, 70000).warning, 'string', 'over again after being under: warns again')
})

t.test('warnings = upward crossings, for any sequence of sizes (fast-check, seed printed on failure)', async (t) => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 200_000 }), { maxLength: 50 }), (sizes) => {
      let over = false
      let warnings = 0
      let crossings = 0
      let previous = 0
      for (const size of sizes) {
        const check = checkLineLimit(over, size)
        over = check.over
        if (check.warning !== undefined) warnings += 1
        if (size > ASYNCIO_DEFAULT_LINE_LIMIT && previous <= ASYNCIO_DEFAULT_LINE_LIMIT) crossings += 1
        previous = size
      }
      return warnings === crossings
    }),
    { seed: SEED, numRuns: 500 },
  )
  t.pass(`seed ${SEED}`)
})

t.test('the figure in the docs: a discovery passes 64 KiB at about 265 interfaces', async (t) => {
  const at = formatTimestamp(Date.UTC(2025, 10, 20, 20, 30, 45))
  const report = (i: number): InterfaceReport => {
    const net = `10.${i >> 8}.${i & 255}`
    return {
      interface: `ens${i}`,
      index: i + 2,
      operstate: 'UP',
      ipv4_addresses: [{ address: `${net}.5`, prefixlen: 24, subnet: `${net}.0/24`, network_address: `${net}.0` }],
      gateway: `${net}.1`,
      timestamp: at,
      type: 'ethernet',
    }
  }
  const bytes = (count: number): number =>
    Buffer.byteLength(encodeLine({ type: 'network_discovery', data: { interfaces: Array.from({ length: count }, (_, i) => report(i)), timestamp: at } })) - 1
  let count = 1
  while (!checkLineLimit(false, bytes(count)).over) count += 1
  t.ok(count >= 255 && count <= 275, `first over at ${count} interfaces (one address and a gateway each)`)
})
