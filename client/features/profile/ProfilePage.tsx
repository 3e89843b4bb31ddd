import { displayName } from '../../auth/useSession.ts';
import type { SignedInSession } from '../../auth/useSession.ts';
import { Link } from '../../router/Link.tsx';
import { PageHeading } from '../../ui/PageHeading.tsx';
import { useDocumentTitle } from '../../ui/useDocumentTitle.ts';
import { ClaimsList } from './ClaimsList.tsx';

/** The signed-in home screen: who you are, according to the session at the BFF. */
export function ProfilePage({ session }: { session: SignedInSession }) {
  const name = displayName(session.user);
  useDocumentTitle(name);
  return (
    <>
      <PageHeading>{name}</PageHeading>
      <p className="lead">You are signed in. These claims come from your session at the BFF; no token ever reaches this page.</p>
      <section aria-labelledby="claims-heading">
        <h2 id="claims-heading">Your claims</h2>
        <ClaimsList claims={session.user} />
      </section>
      <p>
        <Link to="/api-panel">Call the API</Link> to see what the downstream service makes of you.
      </p>
    </>
  );
}
