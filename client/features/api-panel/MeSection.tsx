import { useQuery } from '@tanstack/react-query';
import { meQuery } from '../../api/queries.ts';
import { ErrorAlert } from '../../ui/ErrorAlert.tsx';

/** On demand only: the point is to watch one relayed call happen. */
export function MeSection() {
  const me = useQuery({ ...meQuery(), enabled: false });
  return (
    <section aria-labelledby="me-heading" className="panel">
      <h2 id="me-heading">You, as the API sees you</h2>
      {/* Not disabled while loading: a disabled button would drop keyboard focus. */}
      <button type="button" className="button" onClick={() => void me.refetch()}>
        Call /api/me
      </button>
      {/* Always in the page (never display:none), so screen readers announce what is put in it. */}
      <p role="status" className="status">
        {me.isFetching ? 'Calling /api/me…' : me.isSuccess && !me.isError ? 'The API answered.' : ''}
      </p>
      {me.isError && !me.isFetching && <ErrorAlert error={me.error} action="call /api/me" />}
      {me.data && !me.isError && (
        <pre className="response" aria-label="Response from /api/me" tabIndex={0}>
          <code>{JSON.stringify(me.data, null, 2)}</code>
        </pre>
      )}
    </section>
  );
}
