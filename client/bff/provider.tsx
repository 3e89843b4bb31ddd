import type { QueryClient } from '@tanstack/react-query';
import { QueryClientProvider } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useMemo, useState } from 'react';
import { BffSettingsContext } from './context.ts';
import { createBffQueryClient } from './query-client.ts';
import { useBffSync } from './sync.ts';

/** Props of `<BffProvider>`. */
export interface BffProviderProps {
  /** The app's QueryClient, from `createBffQueryClient()`; default: one made on first render. */
  client?: QueryClient;
  /**
   * On the page's first load, send a signed-out user once through `/auth/login?prompt=none`
   * (default `false`). `useSession()` reads `loading` meanwhile; a return with `?error=…` reads
   * `signedOut` and the parameter is removed from the address.
   */
  silentSignIn?: boolean;
  children: ReactNode;
}

/**
 * Wires the module into a React app, once, at its root: the QueryClientProvider, cross-tab
 * session sync, clearing the previous user's queries when the user changes, and the optional
 * silent sign-in.
 */
export function BffProvider({ client, silentSignIn = false, children }: BffProviderProps) {
  const [own] = useState(() => client ?? createBffQueryClient());
  const settings = useMemo(() => ({ silentSignIn }), [silentSignIn]);
  return (
    <QueryClientProvider client={client ?? own}>
      <BffSettingsContext.Provider value={settings}>
        <Sync silentSignIn={silentSignIn} />
        {children}
      </BffSettingsContext.Provider>
    </QueryClientProvider>
  );
}

function Sync({ silentSignIn }: { silentSignIn: boolean }) {
  useBffSync({ silentSignIn });
  return null;
}
