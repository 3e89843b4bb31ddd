import { queryOptions, useQuery } from '@tanstack/react-query';
import * as z from 'zod/mini';
import { bffJson } from './fetch.ts';
import { BFF_META } from './keep.ts';

/** `GET /auth/providers`: the BFF's configured providers, in its order. */
export const PROVIDERS_PATH = '/auth/providers';

const providersSchema = z.array(z.object({ name: z.string(), label: z.string() }));

/** One provider the user may sign in with: pass `name` to `signIn(returnTo, { provider })`, show `label`. */
export type BffIdentityProvider = z.infer<typeof providersSchema>[number];

/**
 * The React Query options of `GET /auth/providers`. The list is configuration: read once per
 * page, never retried (a BFF without several providers may not serve it: then sign in with the default).
 * @see CONTRACT.md "Several providers, login parameters, step-up"
 */
export function providersQueryOptions() {
  return queryOptions({
    queryKey: ['bff', 'providers'],
    queryFn: ({ signal }) => bffJson(PROVIDERS_PATH, providersSchema, { signal }),
    staleTime: Infinity,
    retry: false,
    meta: BFF_META,
  });
}

/** The providers to offer on a sign-in screen; `data` is `undefined` while loading or when the BFF does not say. */
export function useProviders() {
  return useQuery(providersQueryOptions());
}
