import http, { ServerResponse, type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Config } from '../config.ts';
import type { SessionData } from '../session/data.ts';
import { BadRequest, CsrfRejected, UpstreamTimeout, UpstreamUnavailable } from '../errors.ts';
import { isApiUrl } from '../http/owned.ts';
import type { Route } from '../routes/table.ts';
import { markPrivate } from './cache.ts';
import { headerContext } from './forward.ts';
import { downstreamResponseHeaders, upstreamRequestHeaders } from './headers.ts';
import type { LiveSockets } from './live-sockets.ts';
import { joinUpstreamPath } from './path.ts';
import { splice, type Link } from './ws-splice.ts';
import { GOING_AWAY } from './ws-frames.ts';

interface Relay {
  locate(url: string): { route: Route; upstreamPath: string };
  authorize(req: IncomingMessage, res: ServerResponse, route: Route): Promise<{ session: SessionData | undefined; bearer: string | undefined }>;
}

/** Renders a refusal on the handshake's response (problem+json, security headers, metrics). */
type Refuse = (res: ServerResponse, err: unknown) => void;

/**
 * The node:http `upgrade` event for `/api`: a WebSocket on a route with `websocket: true`.
 * Everything is checked before any byte reaches the upstream: the exact `Origin` (a browser sends
 * no X-CSRF on a WebSocket, and SameSite cookies ride along on a cross-site handshake from a
 * same-site page), `Sec-Fetch-Site`, the session (refreshed when stale, its new cookie sent with
 * the 101), `require`. Then the upstream handshake carries the bearer token and the two sockets
 * are spliced (ws-splice.ts); the socket is registered with its session so it closes with 1008
 * when the session ends (live-sockets.ts). Refusals are ordinary problem+json answers.
 * @see CONTRACT.md, second part, "WebSocket and server-sent events"
 */
export function createUpgradeHandler(config: Config, relay: Relay, live: LiveSockets, refuse: Refuse) {
  const publicUrl = new URL(config.publicOrigin);
  /** Every open relayed WebSocket, with or without a session, for shutdown. */
  const open = new Set<Link>();

  async function handshake(req: IncomingMessage, socket: Duplex, head: Buffer, res: ServerResponse): Promise<void> {
    if (!isApiUrl(req.url ?? '/')) throw new BadRequest('Only /api routes with websocket: true accept an upgrade.');
    if (req.method !== 'GET' || req.headers.upgrade?.toLowerCase() !== 'websocket') throw new BadRequest('Only WebSocket upgrades are relayed.');
    const { route, upstreamPath } = relay.locate(req.url!);
    if (route.config.websocket !== true) throw new BadRequest('This route does not relay WebSockets.');
    if (req.headers.origin !== config.publicOrigin) throw new CsrfRejected('The WebSocket handshake must come from this site (Origin).');
    if (req.headers['sec-fetch-site'] === 'cross-site') throw new CsrfRejected();
    const { session, bearer } = await relay.authorize(req, res, route);
    if (socket.destroyed) return; // the browser left during the refresh
    await openUpstream(req, socket, head, res, route, upstreamPath, session, bearer);
  }

  function openUpstream(req: IncomingMessage, socket: Duplex, head: Buffer, res: ServerResponse, route: Route, upstreamPath: string, session: SessionData | undefined, bearer: string | undefined): Promise<void> {
    const upstreamUrl = route.config.upstream;
    const isHttps = upstreamUrl.protocol === 'https:';
    const { headers } = upstreamRequestHeaders(req.rawHeaders, 'GET', req.socket.remoteAddress, bearer, headerContext(upstreamUrl, publicUrl, route.config.headers));
    headers.push('connection', 'Upgrade', 'upgrade', 'websocket');
    return new Promise<void>((resolve, reject) => {
      const ureq = (isHttps ? https : http).request({
        hostname: upstreamUrl.hostname.startsWith('[') ? upstreamUrl.hostname.slice(1, -1) : upstreamUrl.hostname,
        port: upstreamUrl.port === '' ? (isHttps ? 443 : 80) : Number(upstreamUrl.port),
        method: 'GET',
        path: joinUpstreamPath(upstreamUrl.pathname, upstreamPath),
        headers,
        agent: false, // an upgraded connection never goes back to a pool
      });
      const timer = setTimeout(() => fail(new UpstreamTimeout()), route.config.timeoutMs);
      const onClientGone = (): void => fail(undefined);
      socket.once('close', onClientGone);
      function fail(err: unknown): void {
        clearTimeout(timer);
        socket.off('close', onClientGone);
        ureq.destroy();
        if (err === undefined) resolve();
        else reject(err);
      }
      ureq.on('error', (err) => fail(new UpstreamUnavailable(err)));
      ureq.on('response', (ures) => {
        // The upstream refused the upgrade: its answer goes to the browser like any relayed one.
        clearTimeout(timer);
        socket.off('close', onClientGone);
        res.writeHead(ures.statusCode!, markPrivate(downstreamResponseHeaders(ures.rawHeaders)));
        ures.pipe(res);
        ures.on('error', () => socket.destroy());
        resolve();
      });
      ureq.on('upgrade', (ures: IncomingMessage, usocket: Socket, uhead: Buffer) => {
        clearTimeout(timer);
        socket.off('close', onClientGone);
        accept(socket, head, res, ures, usocket, uhead, session);
        resolve();
      });
      ureq.end();
    });
  }

  function accept(socket: Duplex, head: Buffer, res: ServerResponse, ures: IncomingMessage, usocket: Socket, uhead: Buffer, session: SessionData | undefined): void {
    let lines = 'HTTP/1.1 101 Switching Protocols\r\n';
    const raw = ures.rawHeaders;
    for (let i = 0; i < raw.length; i += 2) {
      // The upstream's cookies stay there, as on every relayed answer.
      if (raw[i]!.toLowerCase() !== 'set-cookie') lines += `${raw[i]}: ${raw[i + 1]}\r\n`;
    }
    // A refreshed or touched session: its new cookie goes out with the 101.
    const cookies = res.getHeader('set-cookie');
    for (const c of Array.isArray(cookies) ? cookies : cookies === undefined ? [] : [String(cookies)]) lines += `Set-Cookie: ${c}\r\n`;
    res.detachSocket(socket as Socket);
    socket.write(`${lines}\r\n`);
    usocket.setNoDelay(true);
    (socket as Socket).setNoDelay?.(true);
    // Bytes that came right behind a handshake belong to the other side's stream.
    if (head.length > 0) usocket.write(head);
    if (uhead.length > 0) usocket.unshift(uhead);
    const link = splice(socket, usocket, () => {
      open.delete(link);
      unregister();
    });
    open.add(link);
    const unregister = session === undefined ? () => undefined : live.add(session, () => link.close());
  }

  /** Ends every relayed WebSocket with 1001 (going away): the server is shutting down. */
  function closeAll(): void {
    for (const link of open) link.close(GOING_AWAY, 'server shutting down');
  }

  /** The `upgrade` listener (node:http's `server.on('upgrade', …)`). */
  function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const res = new ServerResponse(req);
    res.assignSocket(socket as Socket);
    res.shouldKeepAlive = false;
    res.on('finish', () => socket.end());
    handshake(req, socket, head, res).catch((err: unknown) => {
      if (!socket.destroyed) refuse(res, err);
    });
  }

  return { upgrade, closeAll };
}
