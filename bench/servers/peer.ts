import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import { auth } from 'express-openid-connect';
import { createProxyMiddleware } from 'http-proxy-middleware';
import { serveIpc } from './ipc.ts';

// The peer: the usual Node way to build the same thing, configured as each library's docs show
// (express 5 + express-openid-connect + http-proxy-middleware, defaults otherwise but see `agent`).
const env = process.env;
const app = express();
app.use(
  auth({
    authRequired: false,
    issuerBaseURL: env.OIDC_ISSUER,
    baseURL: env.BASE_URL,
    clientID: env.OIDC_CLIENT_ID,
    clientSecret: env.OIDC_CLIENT_SECRET,
    secret: env.SESSION_SECRET,
    authorizationParams: { response_type: 'code', scope: 'openid profile email offline_access', prompt: 'consent' },
  }),
);

// The access token, refreshed first when expired (express-openid-connect's documented pattern).
async function bearer(req: Request, res: Response, next: NextFunction): Promise<void> {
  let token = req.oidc.accessToken;
  if (!req.oidc.isAuthenticated() || !token) {
    res.status(401).json({ error: 'unauthenticated' });
    return;
  }
  if (token.isExpired()) token = await token.refresh();
  req.headers.authorization = `Bearer ${token.access_token}`;
  // Not the library default (it forwards cookies): dropped so the upstream's work is the same on every path.
  delete req.headers.cookie;
  next();
}
// A keep-alive agent is the one deviation from the defaults: without one, http-proxy sends
// `Connection: close` upstream and relays it to the client, so every request would pay for two
// new TCP connections. That is a configuration slip, not the stack's cost, so the peer gets one.
const agent = new http.Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 256, scheduling: 'lifo' });
app.use('/api', bearer, createProxyMiddleware({ target: env.UPSTREAM_URL, changeOrigin: true, agent }));

const server = app.listen(Number(env.PORT ?? 0), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  serveIpc({ url: `http://127.0.0.1:${port}` }, () => new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
    agent.destroy();
  }));
});
