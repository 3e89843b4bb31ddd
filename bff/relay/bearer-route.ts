import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BearerVerifier } from '../tokens/bearer.ts';
import type { Route } from '../routes/table.ts';
import type { createInFlightLimits } from './in-flight.ts';
import { InsufficientScope } from '../errors.ts';
import { unmetRequirements } from '../routes/require.ts';

/**
 * A request with `Authorization: Bearer …` on a route with `"bearer": true`: judged by the token
 * alone. No CSRF (the request carries no ambient credential) and no session: a cookie on it is
 * ignored, so a script cannot borrow whoever's browser it runs next to. `require` is checked
 * against the token's claims and scopes; the same token is relayed.
 * @see CONTRACT.md, second part, "Non-browser clients"; RFC 6750 §3.1
 */
export function createBearerRelay(verifier: BearerVerifier, inFlight: ReturnType<typeof createInFlightLimits>) {
  return async function relayBearer(req: IncomingMessage, res: ServerResponse, route: Route, upstreamPath: string): Promise<void> {
    const bearer = await verifier.verify(req.headers.authorization);
    if (route.config.require !== undefined) {
      const missing = unmetRequirements(route.config.require, bearer.claims, bearer.scope);
      if (missing.length > 0) throw new InsufficientScope(missing);
    }
    const { iss, sub, client_id: clientId } = bearer.claims;
    const who = typeof sub === 'string' ? sub : typeof clientId === 'string' ? clientId : bearer.id;
    const release = inFlight.acquire(`bearer ${bearer.id}`, `${String(iss ?? '')} ${who}`);
    try {
      await route.forwarder.forward(req, res, bearer.token, upstreamPath);
    } finally {
      release();
    }
  };
}
