/** Why a slow timing check was skipped. */
export const SLOW_SKIP_REASON = 'slow timing check: runs in CI or with NETMON_SLOW=1'

/**
 * Test options for a slow timing check (idle windows, storms, long loads): it runs in CI
 * (CI=true) and with NETMON_SLOW=1; a default local run skips it with SLOW_SKIP_REASON.
 * Use: `t.test('name', slow(), async (t) => ...)`.
 */
export const slow = (env: Readonly<Record<string, string | undefined>> = process.env): { skip: string | false } =>
  env.CI === 'true' || env.NETMON_SLOW === '1' ? { skip: false } : { skip: SLOW_SKIP_REASON }
