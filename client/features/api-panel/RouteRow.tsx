import { useQueryClient } from '@tanstack/react-query';
import { useId, useRef, useState } from 'react';
import { reportSessionLoss } from '../../bff/index.ts';
import { ErrorAlert } from '../../ui/ErrorAlert.tsx';
import { callRoute, type RouteOutcome } from './callRoute.ts';
import type { DemoRoute } from './demoRoutes.ts';

export const NO_ACCESS = "You don't have access to this.";

function statusOf(path: string, calling: boolean, outcome: RouteOutcome | undefined): string {
  if (calling) return `Calling ${path}…`;
  switch (outcome?.kind) {
    case 'answered':
      return `The API saw: ${outcome.caller ?? 'a caller it did not name'}.`;
    case 'no-access':
      return NO_ACCESS;
    case 'needs-sign-in':
      return 'This route needs you signed in: the BFF sent nothing to the API.';
    default:
      return '';
  }
}

/** One route: a button that calls it through the BFF, and who the API saw (or why it was refused). */
export function RouteRow({ route, signedIn }: { route: DemoRoute; signedIn: boolean }) {
  const client = useQueryClient();
  const headingId = useId();
  const [calling, setCalling] = useState(false);
  const [outcome, setOutcome] = useState<RouteOutcome>();
  const latest = useRef(0);

  async function call() {
    const mine = ++latest.current;
    setCalling(true);
    const result = await callRoute(route.path);
    if (mine !== latest.current) return; // a later click's answer is the one to show
    // Not through React Query (an anonymous 401 here is expected, not a session that ended), so a
    // signed-in user's ended session is reported to the sign-in-again banner by hand.
    if (signedIn && (result.kind === 'needs-sign-in' || result.kind === 'failed')) reportSessionLoss(client, result.error);
    setOutcome(result);
    setCalling(false);
  }

  const shown = calling ? undefined : outcome;
  return (
    <li className="route">
      <h3 id={headingId} className="route-path">
        <code>{route.path}</code>
      </h3>
      <p className="route-about">
        Sends {route.token}. {route.about}
      </p>
      {/* Not disabled while calling: a disabled button would drop keyboard focus. */}
      <button type="button" className="button" aria-describedby={headingId} onClick={() => void call()}>
        Call {route.path}
      </button>
      {/* Always in the page, so screen readers announce what is put in it. */}
      <p role="status" className="status route-status">
        {statusOf(route.path, calling, outcome)}
      </p>
      {shown?.kind === 'answered' && (
        <pre className="response" aria-label={`Response from ${route.path}`} tabIndex={0}>
          <code>{typeof shown.body === 'string' ? shown.body : JSON.stringify(shown.body, null, 2)}</code>
        </pre>
      )}
      {shown?.kind === 'no-access' && (
        <div className="read-only no-access">
          {shown.missing.length > 0 && <p>Missing: {shown.missing.join(', ')}.</p>}
          <p>
            {shown.decidedBy === 'bff'
              ? 'The BFF decided, before the call reached the API.'
              : `The API decided${shown.reason ? `: ${shown.reason}` : '.'}`}
          </p>
        </div>
      )}
      {shown?.kind === 'failed' && <ErrorAlert error={shown.error} action={`call ${route.path}`} />}
    </li>
  );
}
