/**
 * The React module of the BFF (`react-bff/react`): everything a React app behind the BFF needs to
 * know who is signed in, sign in and out, and call its APIs. Peer dependencies: react, react-dom,
 * @tanstack/react-query. Every export is documented where it is declared.
 *
 * @example
 * ```tsx
 * createRoot(root).render(<BffProvider><App /></BffProvider>);
 * function App() {
 *   const session = useSession();
 *   if (session.status === 'signedIn') return <button onClick={session.signOut}>Sign out {session.user.sub}</button>;
 *   return session.status === 'signedOut' ? <button onClick={() => signIn()}>Sign in</button> : null;
 * }
 * ```
 * @see CONTRACT.md "Your own server routes (the BFF as a library)", `exports["./react"]`
 * @packageDocumentation
 */

export { BffProvider } from './provider.tsx';
export type { BffProviderProps } from './provider.tsx';

export { useSession } from './session.ts';
export type { BffSession } from './session.ts';
export { sessionQueryOptions } from './session-query.ts';

export { providersQueryOptions, useProviders } from './providers.ts';
export type { BffIdentityProvider } from './providers.ts';

export { currentPath, loginUrl, signIn, signOut } from './navigation.ts';
export type { SignInOptions } from './navigation.ts';

export { bffFetch, bffJson, jsonBody } from './fetch.ts';
export type { BffRequestInit, BffSchema } from './fetch.ts';
export { bffEvents } from './events.ts';
export type { BffEvent } from './events.ts';
export { bffQueryOptions } from './queries.ts';
export { createBffQueryClient } from './query-client.ts';
export { BFF_META, clearUserQueries } from './keep.ts';
export { reportSessionLoss } from './sign-in-again.ts';
export type { SignInAgainCode } from './sign-in-again.ts';

export {
  BffHttpError,
  BffNetworkError,
  BffProblemError,
  BffResponseError,
  BffStepUpError,
  isForbidden,
  isSignInAgainError,
} from './errors.ts';

export { PROBLEM_CODES } from '../../shared/problem.ts';
export type { Problem, ProblemCode } from '../../shared/problem.ts';
export type { SessionResponse, UserClaims } from '../../shared/session.ts';
