import { PageHeading } from '../ui/PageHeading.tsx';
import { useDocumentTitle } from '../ui/useDocumentTitle.ts';
import { signIn } from './navigation.ts';

/** The signed-out variant of a screen that needs a session; signing in comes back here. */
export function SignInPrompt({ returnTo, screen }: { returnTo: string; screen: string }) {
  useDocumentTitle('Sign in required');
  return (
    <>
      <PageHeading>Sign in required</PageHeading>
      <p>You need to be signed in to use the {screen}.</p>
      <button type="button" className="button button-primary" onClick={() => signIn(returnTo)}>
        Sign in
      </button>
    </>
  );
}
