import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import { countedRefresh } from '../metrics.ts';
import type { Providers } from '../oidc/providers.ts';
import { refreshTokenGrant } from '../oidc/refresh.ts';
import { createEndedSessions } from '../state/ended.ts';
import { createStateStore, onceAcrossInstances, refreshAcrossInstances, type StateStore } from '../state/index.ts';
import type { SessionData } from './data.ts';
import { createFreshTokens } from './fresh.ts';
import { createSessionResolver } from './resolve.ts';
import { createSessionStore } from './store.ts';
import { createTransactionStore } from './transaction.ts';

/**
 * Everything the BFF keeps about sessions beyond the cookie, and how their tokens stay fresh: the
 * state store (memory, or Redis with `REDIS_URL`), the denylist of ended sessions it feeds, the
 * cookie store, used login transactions, and refresh (ahead, single flight, shared across
 * instances) behind the one `resolve()` entry point.
 */
export function createSessionLayer(config: Config, deps: { log: Logger; clock: () => number; metrics: Metrics; providers: Providers; store?: StateStore | undefined }) {
  const { log, clock, metrics, providers } = deps;
  const nowS = () => Math.floor(clock() / 1000);
  const state = deps.store ?? createStateStore(config, log, clock);
  const ended = createEndedSessions(state, { absoluteTimeoutS: config.session.absoluteTimeoutS, now: nowS, log });
  void ended.start();
  const sessions = createSessionStore(config, nowS, ended);
  const transactions = createTransactionStore(config, nowS, undefined, onceAcrossInstances(state));
  const grant = countedRefresh(metrics, (s: SessionData) => refreshTokenGrant(providers.of(s), s, nowS()));
  const refresh = refreshAcrossInstances(config, state, grant, clock, log);
  // An old cookie lives until its idle timeout (its `seenAt` is at most now) or its absolute timeout.
  const oldCookieLifeMs = (s: SessionData) => Math.min(config.session.idleTimeoutS, s.createdAt + config.session.absoluteTimeoutS - nowS()) * 1000;
  const tokens = createFreshTokens(refresh, config.session.refreshSkewS, clock, config.session.refreshGraceS * 1000, oldCookieLifeMs, () => metrics.refresh('coalesced'));
  const resolver = createSessionResolver(sessions, tokens);
  return { state, ended, sessions, transactions, resolver };
}
