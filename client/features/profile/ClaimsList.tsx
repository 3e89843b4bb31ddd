import type { UserClaims } from '../../../shared/session.ts';

/** Every claim the BFF shares, as a description list (keys are the claim names, verbatim). */
export function ClaimsList({ claims }: { claims: UserClaims }) {
  return (
    <dl className="claims">
      {Object.entries(claims).map(([name, value]) => (
        <div key={name} className="claim">
          <dt>{name}</dt>
          <dd>{formatClaim(value)}</dd>
        </div>
      ))}
    </dl>
  );
}

// A picture sent inline (a data: URL) is shown above as the avatar; its bytes say nothing here.
const LONG_DATA_URL = 80;

function formatClaim(value: unknown): string {
  if (typeof value === 'string' && value.startsWith('data:') && value.length > LONG_DATA_URL) {
    return `${value.slice(0, value.indexOf(',') + 1)}… (${value.length} characters)`;
  }
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number')) {
    return value.length === 0 ? '(none)' : value.join(', ');
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value) ?? '';
}
