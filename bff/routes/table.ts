import type { Config, RouteConfig } from '../config.ts';
import { createForwarder, type Forwarder } from '../relay/forward.ts';
import { createUpstreamAgent, type UpstreamPool } from '../relay/agent.ts';
import { createRouteMatcher, type RouteMatch } from './match.ts';

export interface Route {
  readonly config: RouteConfig;
  readonly forwarder: Forwarder;
}

/**
 * The routes table as the relay uses it: each route with its own forwarder (base path, timeout,
 * static headers), and one connection pool per upstream origin, so fifty routes to one API share
 * its keep-alive sockets and its `API_UPSTREAM_MAX_SOCKETS` bound.
 * @see CONTRACT.md, second part, "The routes table (`apis`)"
 */
export function createRoutesTable(config: Config) {
  const agents = new Map<string, UpstreamPool>();
  const publicUrl = new URL(config.publicOrigin);
  const { bodyIdleTimeoutMs, uploadDeadlineMs, upstreamMaxSockets } = config.api;
  const routes = config.routes.map((route): Route & { readonly path: string } => {
    const origin = route.upstream.origin;
    let agent = agents.get(origin);
    if (agent === undefined) {
      agent = createUpstreamAgent(route.upstream, upstreamMaxSockets);
      agents.set(origin, agent);
    }
    const forwarder = createForwarder({
      upstreamUrl: route.upstream,
      timeoutMs: route.timeoutMs,
      publicUrl,
      agent,
      ownsAgent: false,
      bodyIdleTimeoutMs,
      uploadDeadlineMs,
      ...(route.headers ? { headers: route.headers } : {}),
    });
    return { path: route.path, config: route, forwarder };
  });
  const match: (pathname: string) => RouteMatch<Route> | undefined = createRouteMatcher(routes);

  return {
    match,
    close(): void {
      for (const agent of agents.values()) void agent.destroy().catch(() => undefined);
    },
  };
}

export type RoutesTable = ReturnType<typeof createRoutesTable>;
