import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { getResponse } from 'msw';
import { createMockIdp, DEFAULT_CLIENT, type MockIdp, type MockIdpOptions } from './idp/index.ts';

/**
 * The msw IdP kit served over real HTTP on a loopback port, for BFFs in other processes (which
 * cannot take an injected fetch). Its issuer is `http://127.0.0.1:<port>`; the client `bff` is
 * registered with the redirect and post-logout URIs of `publicOrigin`.
 */
export async function startIdpServer(publicOrigin: string, options: MockIdpOptions = {}): Promise<{ idp: MockIdp; close(): Promise<void> }> {
  const server = http.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const idp = await createMockIdp({
    issuer,
    clients: [{ ...DEFAULT_CLIENT, redirect_uris: [`${publicOrigin}/auth/callback`], post_logout_redirect_uris: [`${publicOrigin}/`] }],
    ...options,
  });
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
      const body = chunks.length ? Buffer.concat(chunks) : undefined;
      const request = new Request(new URL(req.url!, idp.issuer), { method: req.method!, headers, ...(body ? { body } : {}), redirect: 'manual' });
      void getResponse(idp.handlers, request).then(async (response) => {
        if (!response) {
          res.writeHead(404).end();
          return;
        }
        const out: Record<string, string> = {};
        response.headers.forEach((v, k) => (out[k] = v));
        res.writeHead(response.status, out).end(Buffer.from(await response.arrayBuffer()));
      });
    });
  });
  return {
    idp,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
