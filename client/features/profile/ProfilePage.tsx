import { displayName } from '../../auth/session.ts';
import type { SignedInSession } from '../../auth/session.ts';
import { Avatar } from '../../ui/Avatar.tsx';
import { PageHeading } from '../../ui/PageHeading.tsx';
import { useDocumentTitle } from '../../ui/useDocumentTitle.ts';
import { ClaimsList } from './ClaimsList.tsx';

/** Who you are, according to the session at the BFF. */
export function ProfilePage({ session }: { session: SignedInSession }) {
  const name = displayName(session.user);
  useDocumentTitle(name);
  return (
    <>
      <div className="profile-heading">
        <Avatar user={session.user} name={name} size="large" />
        <PageHeading>{name}</PageHeading>
      </div>
      <p className="lead">These claims come from your session at the BFF; no token ever reaches this page.</p>
      <section aria-labelledby="claims-heading">
        <h2 id="claims-heading">Your claims</h2>
        <ClaimsList claims={session.user} />
      </section>
    </>
  );
}
