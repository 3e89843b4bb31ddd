import type { Request, Response } from 'express';
import { NotReady, toProblem } from '../errors.ts';
import { PROBLEM_CONTENT_TYPE } from '../../shared/problem.ts';
import type { ProviderClient } from './discovery.ts';
import { sendJson } from '../http/json.ts';

/** How long /readyz waits for a discovery it started; probes have short timeouts of their own. */
const PROBE_WAIT_MS = 1500;

/**
 * `GET /readyz`: 200 once every configured provider's metadata is loaded. Otherwise it (re)starts
 * the missing discoveries, waits briefly for them, and answers 503 `not_ready` naming the first
 * provider that is not ready and why (the diagnosis holds URLs and the provider's words, never a secret).
 */
export function createReadyzHandler(providers: readonly ProviderClient[]) {
  return async function readyz(_req: Request, res: Response): Promise<void> {
    res.setHeader('cache-control', 'no-store');
    const waiting = providers.filter((p) => !p.isReady());
    if (waiting.length > 0) {
      for (const p of waiting) p.configuration().catch(() => undefined);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(waiting.map((p) => p.settled())), new Promise((r) => (timer = setTimeout(r, PROBE_WAIT_MS)))]);
      clearTimeout(timer);
    }
    const notReady = providers.find((p) => !p.isReady());
    if (notReady === undefined) {
      sendJson(res, 200, { status: 'ready' });
      return;
    }
    const name = notReady.provider.name;
    const diagnosis = notReady.problem();
    const { headers: _headers, ...problem } = toProblem(new NotReady());
    const body = {
      ...problem,
      detail: diagnosis
        ? `Provider "${name}" is not ready: ${diagnosis.cause} ${diagnosis.fix}`
        : `Provider "${name}" is not ready: its discovery document is still loading.`,
      provider: name,
      reason: diagnosis?.reason ?? 'discovery_pending',
    };
    sendJson(res, 503, body, PROBLEM_CONTENT_TYPE);
  };
}
