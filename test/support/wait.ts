/** Polls `cond` every 5 ms for at most `ms` (a bound against hanging, not an expectation). */
export async function waitFor(cond: () => boolean, ms = 3_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${cond.toString()}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** {@link waitFor} for a check that needs I/O (an HTTP probe); polls every 50 ms. */
export async function waitForAsync(cond: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const start = Date.now();
  while (!(await cond().catch(() => false))) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${cond.toString()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
