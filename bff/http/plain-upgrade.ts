import { ServerResponse, type IncomingMessage, type RequestListener } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { BadRequest } from '../errors.ts';
import { sendProblem } from './problem.ts';

/** Whether node's `upgrade` event carries a WebSocket handshake (anything else is a plain request to us). */
export function isWebSocketUpgrade(req: IncomingMessage): boolean {
  return req.headers.upgrade?.toLowerCase() === 'websocket';
}

/**
 * Once a server listens for `upgrade`, node hands it every request with `Connection: Upgrade`,
 * h2c attempts included, and stops parsing the connection. Such a request is answered as the
 * plain request it also is (the `Upgrade` header is hop-by-hop and dropped by the relay), on a
 * connection that then closes. A body cannot be read any more: such a request is refused.
 */
export function answerAsPlainRequest(req: IncomingMessage, socket: Duplex, listener: RequestListener): void {
  socket.on('error', () => socket.destroy());
  const res = new ServerResponse(req);
  res.assignSocket(socket as Socket);
  res.shouldKeepAlive = false;
  res.on('finish', () => socket.end());
  const declaresBody = req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
  if (declaresBody) {
    sendProblem(res, new BadRequest('An upgrade request cannot carry a body.'));
    return;
  }
  req.push(null); // no body: let whoever reads it see the end
  listener(req, res);
}
