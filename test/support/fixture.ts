import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startTestBff, type TestBffOptions, type TestBff } from './bff.ts';
import { startUpstream, type Upstream } from './upstream.ts';

export type { Upstream };

/**
 * The usual setup of a relay test file: a recording upstream and the real BFF relaying to it
 * (`API_UPSTREAM_URL` = the upstream + `basePath`), started once, with the mock provider's faults
 * and the upstream's record cleared before each test. `use` receives both once they run.
 */
export function useBffAndUpstream(
  options: Omit<TestBffOptions, 'env'> & { env?: Record<string, string>; basePath?: string },
  use: (started: { bff: TestBff; upstream: Upstream }) => void,
): void {
  let started: { bff: TestBff; upstream: Upstream } | undefined;
  beforeAll(async () => {
    const upstream = await startUpstream();
    const bff = await startTestBff({ ...options, env: { API_UPSTREAM_URL: upstream.url + (options.basePath ?? ''), ...options.env } });
    started = { bff, upstream };
    use(started);
  });
  afterAll(async () => {
    await started?.bff.close();
    await started?.upstream.close();
  });
  beforeEach(() => {
    started?.bff.idp.reset();
    started?.upstream.clear();
  });
}
