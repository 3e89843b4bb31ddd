import { PageHeading } from '../ui/PageHeading.tsx';
import { useDocumentTitle } from '../ui/useDocumentTitle.ts';
import { currentPath, signIn } from './navigation.ts';

/** The signed-out variant of a screen that needs a session; signing in comes back to this very address. */
export function SignInPrompt({ screen }: { screen: string }) {
  useDocumentTitle('Sign in required');
  return (
    <>
      <PageHeading>Sign in required</PageHeading>
      <p>You need to be signed in to see {screen}. Signing in brings you back here.</p>
      <button type="button" className="button button-primary" onClick={() => signIn(currentPath())}>
        Sign in
      </button>
    </>
  );
}
