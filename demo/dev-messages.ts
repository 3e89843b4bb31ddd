/** What `npm run dev` prints; kept apart from dev.ts so tests can check the words without starting servers. */

export const DEFAULT_DEV_PORT = 5173;

/** DEV_PORT as a port number, or undefined when it is not one. Unset or empty means the default. */
export function devPortOf(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return DEFAULT_DEV_PORT;
  const port = Number(value);
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? port : undefined;
}

export function portTakenMessage(port: number): string {
  return (
    `DEV_PORT ${port} is already in use (another \`npm run dev\`?). The dev server stops instead of moving to ` +
    `another port, because the provider sends you back to http://localhost:${port}/auth/callback. ` +
    `Stop the other process, or set DEV_PORT to a free port.`
  );
}

export function devServerBanner(s: { devOrigin: string; bff: string; provider?: string; api?: string }): string {
  const lines = [`\n  Dev server with hot reload: ${s.devOrigin}`];
  if (s.provider) {
    lines.push('  Sign in as  alice  (editor)  or  bob  (reader); the password is ignored.');
    lines.push(`  Demo OpenID Provider  ${s.provider}`, `  Demo API              ${s.api ?? ''}`);
    lines.push(`  BFF                   ${s.bff}  (Vite proxies /auth/*, /api/*, /healthz, /readyz to it)`);
  } else {
    lines.push(`  Proxying the BFF's routes to ${s.bff}: run the BFF there with BFF_PUBLIC_URL=${s.devOrigin}`);
    lines.push(`  and register ${s.devOrigin}/auth/callback as a redirect URI at your provider.`);
  }
  lines.push('  Ctrl-C stops everything.\n');
  return lines.join('\n');
}
