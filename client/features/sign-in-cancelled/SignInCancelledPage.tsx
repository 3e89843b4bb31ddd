import { loginUrl } from '../../bff/index.ts';
import { Link } from '../../router/Link.tsx';
import { PageHeading } from '../../ui/PageHeading.tsx';
import { useDocumentTitle } from '../../ui/useDocumentTitle.ts';

/** `/login-error?error=access_denied`: the user chose Cancel at the provider. Nothing went wrong. */
export function SignInCancelledPage() {
  useDocumentTitle('Sign-in cancelled');
  return (
    <>
      <PageHeading>Sign-in cancelled</PageHeading>
      <p>You cancelled signing in at the provider, so you are not signed in. Nothing else has changed.</p>
      <p className="actions">
        {/* A plain link: signing in is a full-page navigation to the BFF, not an in-app route. */}
        <a className="button button-primary" href={loginUrl('/')}>
          Sign in
        </a>
        <Link to="/">Back to the home page</Link>
      </p>
    </>
  );
}
