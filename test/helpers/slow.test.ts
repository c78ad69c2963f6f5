import t from 'tap'
import { slow, SLOW_SKIP_REASON } from './slow.js'

t.test('a slow timing check runs in CI and with NETMON_SLOW=1, and is skipped with the reason elsewhere', async (t) => {
  t.same(slow({ CI: 'true' }), { skip: false }, 'CI runs it')
  t.same(slow({ NETMON_SLOW: '1' }), { skip: false }, 'NETMON_SLOW=1 runs it')
  t.same(slow({}), { skip: SLOW_SKIP_REASON }, 'a default local run skips it')
  t.same(slow({ CI: 'false', NETMON_SLOW: '0' }), { skip: SLOW_SKIP_REASON }, 'only the documented values turn it on')
  t.equal(SLOW_SKIP_REASON, 'slow timing check: runs in CI or with NETMON_SLOW=1')
})
