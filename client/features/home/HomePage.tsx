import { signIn } from '../../auth/navigation.ts';
import { PageHeading } from '../../ui/PageHeading.tsx';
import { useDocumentTitle } from '../../ui/useDocumentTitle.ts';

/** The signed-out landing screen. */
export function HomePage() {
  useDocumentTitle('');
  return (
    <>
      <PageHeading>Welcome</PageHeading>
      <p className="lead">
        This app signs you in through its backend-for-frontend. Your browser only holds an HttpOnly session cookie;
        the tokens stay on the server.
      </p>
      <button type="button" className="button button-primary" onClick={() => signIn('/')}>
        Sign in
      </button>
    </>
  );
}
