import { paths } from '../shared/paths.ts';
import { SessionGate } from './auth/SessionGate.tsx';
import { SignInPrompt } from './auth/SignInPrompt.tsx';
import { ApiPanelPage } from './features/api-panel/ApiPanelPage.tsx';
import { HomePage } from './features/home/HomePage.tsx';
import { LoginErrorPage } from './features/login-error/LoginErrorPage.tsx';
import { NotFoundPage } from './features/not-found/NotFoundPage.tsx';
import { ProfilePage } from './features/profile/ProfilePage.tsx';

/** The whole route table. The BFF serves index.html for unknown paths, so every one lands here. */
export function Routes({ pathname }: { pathname: string }) {
  switch (pathname) {
    case '/':
      return <SessionGate signedOut={<HomePage />}>{(session) => <ProfilePage session={session} />}</SessionGate>;
    case '/api-panel':
      return (
        <SessionGate signedOut={<SignInPrompt returnTo="/api-panel" screen="API panel" />}>{() => <ApiPanelPage />}</SessionGate>
      );
    case paths.loginError:
      // Deliberately outside SessionGate: it must render even when the BFF is unreachable.
      return <LoginErrorPage />;
    default:
      return <NotFoundPage />;
  }
}
