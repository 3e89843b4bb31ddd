import { SignInButtons } from '../../auth/SignInButtons.tsx';
import { PageHeading } from '../../ui/PageHeading.tsx';
import { useDocumentTitle } from '../../ui/useDocumentTitle.ts';
import { RoutesSection } from '../api-panel/RoutesSection.tsx';

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
      <p>
        Sign in as <strong>alice</strong> (an editor: she can add and delete the shared notes) or <strong>bob</strong> (a
        reader: he can only read them) to see the same screens follow each user&rsquo;s role.
      </p>
      <SignInButtons returnTo={() => '/'} />
      {/* The API panel's routes, callable signed out too: what a route sends when there is no user. */}
      <RoutesSection signedIn={false} />
    </>
  );
}
