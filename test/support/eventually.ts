/**
 * Polls `check` until it gives a value, and returns it: a daemon's or a server's reaction
 * takes a while on a loaded 2-core CI machine. Throws naming `what` after `timeoutMs`.
 */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
