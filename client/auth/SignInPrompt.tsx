import { currentPath } from '../bff/index.ts';
import { PageHeading } from '../ui/PageHeading.tsx';
import { useDocumentTitle } from '../ui/useDocumentTitle.ts';
import { SignInButtons } from './SignInButtons.tsx';

/** The signed-out variant of a screen that needs a session; signing in comes back to this very address. */
export function SignInPrompt({ screen }: { screen: string }) {
  useDocumentTitle('Sign in required');
  return (
    <>
      <PageHeading>Sign in required</PageHeading>
      <p>You need to be signed in to see {screen}. Signing in brings you back here.</p>
      <SignInButtons returnTo={currentPath} />
    </>
  );
}
