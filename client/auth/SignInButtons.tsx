import { signIn, useProviders } from '../bff/index.ts';

/**
 * One "Sign in" button, or one per provider when the BFF offers several (`/auth/providers`).
 * While the list is unknown, or when the BFF does not serve it, the default provider is used.
 */
export function SignInButtons({ returnTo, label = 'Sign in' }: { returnTo: () => string | undefined; label?: string }) {
  const providers = useProviders().data ?? [];
  if (providers.length <= 1) {
    return (
      <button type="button" className="button button-primary" onClick={() => signIn(returnTo())}>
        {label}
      </button>
    );
  }
  return (
    <ul className="provider-list" aria-label="Sign-in providers">
      {providers.map((provider) => (
        <li key={provider.name}>
          <button type="button" className="button button-primary" onClick={() => signIn(returnTo(), { provider: provider.name })}>
            {label} with {provider.label}
          </button>
        </li>
      ))}
    </ul>
  );
}
