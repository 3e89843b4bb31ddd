import { currentPath, signIn } from '../../auth/navigation.ts';
import { useSession } from '../../auth/useSession.ts';
import { Link } from '../../router/Link.tsx';
import { PageHeading } from '../../ui/PageHeading.tsx';
import { useDocumentTitle } from '../../ui/useDocumentTitle.ts';

/** Signed out, the address may be a page that needs an account: offer to sign in and come back. */
export function NotFoundPage() {
  useDocumentTitle('Page not found');
  const { data } = useSession();
  return (
    <>
      <PageHeading>Page not found</PageHeading>
      <p>There is nothing at this address{data?.authenticated === false ? ' that you can see without signing in' : ''}.</p>
      <p className="actions">
        {data?.authenticated === false && (
          <button type="button" className="button button-primary" onClick={() => signIn(currentPath())}>
            Sign in
          </button>
        )}
        <Link to="/">Go to the home page</Link>
      </p>
    </>
  );
}
