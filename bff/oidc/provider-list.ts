import type { Request, Response } from 'express';
import type { Config } from '../config.ts';
import type { ProviderList } from '../../shared/session.ts';

/**
 * `GET /auth/providers`: the configured providers the SPA may offer, `[{ name, label }]`, the
 * default first. Names and labels only: issuers and client ids are nobody's business here.
 */
export function createProviderListHandler(config: Config) {
  const list: ProviderList = [config.oidc, ...Object.values(config.providers).filter((p) => p !== config.oidc)].map((p) => ({ name: p.name, label: p.label }));
  const body = JSON.stringify(list);
  return function listProviders(_req: Request, res: Response): void {
    res.setHeader('cache-control', 'no-store');
    res.type('application/json').send(body);
  };
}
