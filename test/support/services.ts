/**
 * Suites that need a real server or client use these helpers. Without the service the suite is
 * not run (a notice is printed), unless STRATA_REQUIRE_ALL=1 (set by .ci/run): then it fails.
 */
export const requireAll = process.env.STRATA_REQUIRE_ALL === '1';

export function describeWith(service: string, available: boolean, name: string, fn: () => void): void {
  if (available) {
    describe(name, fn);
    return;
  }
  if (requireAll) {
    describe(name, () => {
      it(`has ${service} available`, () => {
        throw new Error(`${service} is required (STRATA_REQUIRE_ALL=1) but is not available`);
      });
    });
    return;
  }
  // not registered at all (no skipped test left behind); the notice says what did not run
  process.stderr.write(`notice: not running "${name}": ${service} is not available (STRATA_REQUIRE_ALL=1 makes this a failure)\n`);
}

export const testDatabaseUrl = process.env.TEST_DATABASE_URL;
export const testRedisUrl = process.env.TEST_REDIS_URL;
export const testS3Endpoint = process.env.TEST_S3_ENDPOINT;
