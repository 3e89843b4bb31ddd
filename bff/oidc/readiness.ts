import type { Request, Response } from 'express';
import { NotReady, toProblem } from '../errors.ts';
import { PROBLEM_CONTENT_TYPE } from '../../shared/problem.ts';
import { DEFAULT_PROVIDER, type ProviderClient } from './discovery.ts';

/** How long /readyz waits for a discovery it started; probes have short timeouts of their own. */
const PROBE_WAIT_MS = 1500;

/**
 * `GET /readyz`: 200 once the provider's metadata is loaded. Otherwise it (re)starts discovery,
 * waits briefly for it, and answers 503 `not_ready` naming the provider and why (the diagnosis
 * holds URLs and the provider's words, never a secret).
 */
export function createReadyzHandler(provider: ProviderClient) {
  return async function readyz(_req: Request, res: Response): Promise<void> {
    res.setHeader('cache-control', 'no-store');
    if (!provider.isReady()) {
      provider.configuration().catch(() => undefined);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([provider.settled(), new Promise((r) => (timer = setTimeout(r, PROBE_WAIT_MS)))]);
      clearTimeout(timer);
    }
    if (provider.isReady()) {
      res.json({ status: 'ready' });
      return;
    }
    const diagnosis = provider.problem();
    const { headers: _headers, ...problem } = toProblem(new NotReady());
    const body = {
      ...problem,
      detail: diagnosis
        ? `Provider "${DEFAULT_PROVIDER}" is not ready: ${diagnosis.cause} ${diagnosis.fix}`
        : `Provider "${DEFAULT_PROVIDER}" is not ready: its discovery document is still loading.`,
      provider: DEFAULT_PROVIDER,
      reason: diagnosis?.reason ?? 'discovery_pending',
    };
    res.status(503).setHeader('content-type', PROBLEM_CONTENT_TYPE);
    res.end(JSON.stringify(body));
  };
}
