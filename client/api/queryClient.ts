import type { QueryClientConfig } from '@tanstack/react-query';
import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { reportAuthError, reportSessionRead } from '../auth/signInAgain.ts';
import { BffHttpError, BffNetworkError, BffProblemError } from './errors.ts';

/**
 * The app's QueryClient. Use this (not `new QueryClient`) so that every failed query or mutation,
 * and every session read, passes through the sign-in-again handling. Caller options win, e.g.
 * `retry: false` in tests.
 */
export function createQueryClient(config: Omit<QueryClientConfig, 'queryCache' | 'mutationCache'> = {}): QueryClient {
  const client: QueryClient = new QueryClient({
    ...config,
    defaultOptions: {
      ...config.defaultOptions,
      queries: { retry: retryTransient, ...config.defaultOptions?.queries },
    },
    queryCache: new QueryCache({
      onError: (error, query) => reportAuthError(client, error, query.queryHash),
      onSuccess: (data, query) => reportSessionRead(client, data, query.queryHash),
    }),
    mutationCache: new MutationCache({ onError: (error) => reportAuthError(client, error) }),
  });
  return client;
}

/**
 * Retrying a 4xx cannot succeed and would only delay the "sign in again" banner; a dropped
 * connection or a 502/503/504 from the relay often clears up, so those get two more tries.
 */
function retryTransient(failureCount: number, error: unknown): boolean {
  if (failureCount >= 2) return false;
  if (error instanceof BffNetworkError) return true;
  if (error instanceof BffProblemError || error instanceof BffHttpError) return error.status >= 502 && error.status <= 504;
  return false;
}
