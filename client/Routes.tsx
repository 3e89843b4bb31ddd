import { Route, Switch } from 'wouter';
import { paths } from '../shared/paths.ts';
import { SessionGate } from './auth/SessionGate.tsx';
import { SignInPrompt } from './auth/SignInPrompt.tsx';
import { ApiPanelPage } from './features/api-panel/ApiPanelPage.tsx';
import { HomePage } from './features/home/HomePage.tsx';
import { WelcomeBackPage } from './features/home/WelcomeBackPage.tsx';
import { LoginErrorPage } from './features/login-error/LoginErrorPage.tsx';
import { NotFoundPage } from './features/not-found/NotFoundPage.tsx';
import { ProfilePage } from './features/profile/ProfilePage.tsx';
import { SignInCancelledPage } from './features/sign-in-cancelled/SignInCancelledPage.tsx';
import { useLocation } from './router/useLocation.ts';

/** The whole route table. The BFF serves index.html for unknown paths, so every one lands here. */
export function Routes() {
  return (
    <Switch>
      <Route path="/">
        <SessionGate signedOut={<HomePage />}>{(session) => <WelcomeBackPage session={session} />}</SessionGate>
      </Route>
      <Route path="/profile">
        <SessionGate signedOut={<SignInPrompt screen="your profile" />}>{(session) => <ProfilePage session={session} />}</SessionGate>
      </Route>
      <Route path="/api-panel">
        <SessionGate signedOut={<SignInPrompt screen="the API panel" />}>{(session) => <ApiPanelPage session={session} />}</SessionGate>
      </Route>
      {/* Deliberately outside SessionGate: it must render even when the BFF is unreachable. */}
      <Route path={paths.loginError}>
        <SignInOutcome />
      </Route>
      <Route>
        <NotFoundPage />
      </Route>
    </Switch>
  );
}

/** Cancelling at the provider is the user's own choice (RFC 6749 `access_denied`), not a failure. */
function SignInOutcome() {
  const error = new URLSearchParams(useLocation().search).get('error');
  return error === 'access_denied' ? <SignInCancelledPage /> : <LoginErrorPage />;
}
