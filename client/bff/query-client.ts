import type { QueryClientConfig } from '@tanstack/react-query';
import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { BffHttpError, BffNetworkError, BffProblemError } from './errors.ts';
import { reportSessionLoss, reportSessionRead } from './sign-in-again.ts';

/**
 * A QueryClient for an app behind the BFF: every failed query or mutation that says the session
 * is gone raises the sign-in-again state (`useSession().signInAgain`) and re-reads the session,
 * and transient failures (no answer, 502/503/504) are retried twice, never a 4xx. Caller options
 * win (e.g. `retry: false` in tests); the caches are the module's.
 */
export function createBffQueryClient(config: Omit<QueryClientConfig, 'queryCache' | 'mutationCache'> = {}): QueryClient {
  const client: QueryClient = new QueryClient({
    ...config,
    defaultOptions: {
      ...config.defaultOptions,
      queries: { retry: retryTransient, ...config.defaultOptions?.queries },
    },
    queryCache: new QueryCache({
      onError: (error, query) => reportSessionLoss(client, error, query.queryKey),
      onSuccess: (data, query) => reportSessionRead(client, data, query.queryKey),
    }),
    mutationCache: new MutationCache({ onError: (error) => reportSessionLoss(client, error) }),
  });
  return client;
}

/**
 * Retrying a 4xx cannot succeed and would only delay the "sign in again" state; a dropped
 * connection or a 502/503/504 from the relay often clears up, so those get two more tries.
 */
function retryTransient(failureCount: number, error: unknown): boolean {
  if (failureCount >= 2) return false;
  if (error instanceof BffNetworkError) return true;
  if (error instanceof BffProblemError || error instanceof BffHttpError) return error.status >= 502 && error.status <= 504;
  return false;
}
