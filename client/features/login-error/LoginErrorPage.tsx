import { loginUrl } from '../../bff/index.ts';
import { Link } from '../../router/Link.tsx';
import { useLocation } from '../../router/useLocation.ts';
import { PageHeading } from '../../ui/PageHeading.tsx';
import { useDocumentTitle } from '../../ui/useDocumentTitle.ts';

// Anyone can craft this URL, so its parameters are shown as text only (React escapes them) and
// capped so a link cannot fill the screen with a fake message.
const MAX_LENGTH = 400;

/**
 * Where the BFF sends the browser when a sign-in fails: `?error=…&error_description=…`, plus
 * `hint=…` when the BFF knows what to change (a provider misconfiguration, see bff/oidc/diagnosis.ts).
 */
export function LoginErrorPage() {
  useDocumentTitle('Sign-in failed');
  const params = new URLSearchParams(useLocation().search);
  const error = clip(params.get('error')) || 'unknown_error';
  const description = clip(params.get('error_description'));
  const hint = clip(params.get('hint'));
  return (
    <>
      <PageHeading>Sign-in failed</PageHeading>
      <div role="alert" className="alert alert-error">
        <p>
          The sign-in did not complete. Error: <code>{error}</code>
        </p>
        {description && <p>{description}</p>}
      </div>
      {hint && (
        <p className="login-error-hint">
          <strong>What to do:</strong> {hint}
        </p>
      )}
      <p className="actions">
        {/* A plain link: signing in is a full-page navigation to the BFF, not an in-app route. */}
        <a className="button button-primary" href={loginUrl('/')}>
          Try again
        </a>
        <Link to="/">Back to the home page</Link>
      </p>
    </>
  );
}

function clip(value: string | null): string {
  if (!value) return '';
  return value.length > MAX_LENGTH ? `${value.slice(0, MAX_LENGTH)}…` : value;
}
