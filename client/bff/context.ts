import { createContext, useContext } from 'react';

/** What `<BffProvider>` tells the module's hooks below it. */
export interface BffSettings {
  silentSignIn: boolean;
}

export const BffSettingsContext = createContext<BffSettings>({ silentSignIn: false });

export function useBffSettings(): BffSettings {
  return useContext(BffSettingsContext);
}
