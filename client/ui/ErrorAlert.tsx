import { describeError } from './describeError.ts';

/** Announced at once by screen readers (role="alert"); the text is always built from data, never HTML. */
export function ErrorAlert({ error, action }: { error: unknown; action: string }) {
  return (
    <div role="alert" className="alert alert-error">
      <p>{describeError(error, action)}</p>
    </div>
  );
}
