import type { SignedInSession } from '../../auth/session.ts';
import { PageHeading } from '../../ui/PageHeading.tsx';
import { useDocumentTitle } from '../../ui/useDocumentTitle.ts';
import { MeSection } from './MeSection.tsx';
import { NotesSection } from './NotesSection.tsx';
import { RoutesSection } from './RoutesSection.tsx';
import { canEditNotes } from './permissions.ts';

/** Calls the demo API through the BFF's relay; the BFF adds the access token on the way. */
export function ApiPanelPage({ session }: { session: SignedInSession }) {
  useDocumentTitle('API panel');
  return (
    <>
      <PageHeading>API panel</PageHeading>
      <p className="lead">
        These calls go to <code>/api</code> on this origin. The BFF relays them to the demo API, adding the token each
        route asks for.
      </p>
      <MeSection />
      <RoutesSection signedIn />
      <NotesSection canEdit={canEditNotes(session.user)} />
    </>
  );
}
