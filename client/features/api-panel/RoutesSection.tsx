import { DEMO_ROUTES } from './demoRoutes.ts';
import { RouteRow } from './RouteRow.tsx';

/** The BFF's routes table at work: each route sends a different token, and the API says whom it saw. */
export function RoutesSection({ signedIn }: { signedIn: boolean }) {
  return (
    <section aria-labelledby="routes-heading" className="panel">
      <h2 id="routes-heading">Routes, and who the API sees</h2>
      <p>
        Each route of the BFF&rsquo;s routes table decides what token, if any, goes with the call.
        {signedIn ? ' Try them as yourself, then signed out.' : ' Try them signed out, then signed in as alice or bob.'}
      </p>
      <ul className="routes" aria-label="Routes">
        {DEMO_ROUTES.map((route) => (
          <RouteRow key={route.path} route={route} signedIn={signedIn} />
        ))}
      </ul>
    </section>
  );
}
