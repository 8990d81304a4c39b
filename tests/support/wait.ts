/** Synchronisation helpers for tests: poll a condition against a deadline, never a fixed sleep. */

export interface WaitOptions {
  readonly timeoutMs?: number;
  readonly intervalMs?: number;
  readonly message?: string;
}

/**
 * Polls `probe` until it returns a value other than undefined/false, and returns it. Throws with
 * the last error or `message` when the deadline passes.
 */
export async function waitFor<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  options: WaitOptions = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  const interval = options.intervalMs ?? 25;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const reason = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`${options.message ?? 'condition not met'} within ${options.timeoutMs ?? 10_000} ms${reason}`);
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
