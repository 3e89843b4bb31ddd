import type { Request, Response } from 'express';
import type { Config } from '../config.ts';
import type { ProviderList } from '../../shared/session.ts';
import { sendJson } from '../http/json.ts';

/**
 * `GET /auth/providers`: the configured providers the SPA may offer, `[{ name, label }]`, the
 * default first. Names and labels only: issuers and client ids are nobody's business here.
 */
export function createProviderListHandler(config: Config) {
  const list: ProviderList = [config.oidc, ...Object.values(config.providers).filter((p) => p !== config.oidc)].map((p) => ({ name: p.name, label: p.label }));
  return function listProviders(_req: Request, res: Response): void {
    res.setHeader('cache-control', 'no-store');
    sendJson(res, 200, list);
  };
}
