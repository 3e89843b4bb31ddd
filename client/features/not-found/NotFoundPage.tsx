import { SignInButtons } from '../../auth/SignInButtons.tsx';
import { currentPath, useSession } from '../../bff/index.ts';
import { Link } from '../../router/Link.tsx';
import { PageHeading } from '../../ui/PageHeading.tsx';
import { useDocumentTitle } from '../../ui/useDocumentTitle.ts';

/** Signed out, the address may be a page that needs an account: offer to sign in and come back. */
export function NotFoundPage() {
  useDocumentTitle('Page not found');
  const signedOut = useSession().status === 'signedOut';
  return (
    <>
      <PageHeading>Page not found</PageHeading>
      <p>There is nothing at this address{signedOut ? ' that you can see without signing in' : ''}.</p>
      <p className="actions">
        {signedOut && <SignInButtons returnTo={currentPath} />}
        <Link to="/">Go to the home page</Link>
      </p>
    </>
  );
}
