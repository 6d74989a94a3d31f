// Bounded waiting for things that happen in the background and announce themselves with no event a
// test could await (a failover, a process starting to answer, a call started after the response).
// Where such an event exists, await it instead: polling only guesses when something happened.

export interface EventuallyOptions {
  /** How long to wait before failing; keep it well below the test's own timeout, so this error is the one reported. */
  timeoutMs?: number;
  intervalMs?: number;
  /** A reason to stop waiting at once (e.g. the process being waited on has exited), or undefined. */
  abandonIf?: () => string | undefined;
  /** More to say in the timeout error, computed only then (e.g. the process's output so far). */
  detail?: () => string;
}

/**
 * Resolves once `check` returns true. A check that throws counts as "not yet" (a server not
 * listening yet refuses connections), and its last error is part of the timeout message, which
 * names `what` was waited for.
 */
export async function eventually(what: string, check: () => boolean | Promise<boolean>, options: EventuallyOptions = {}): Promise<void> {
  const { timeoutMs = 5_000, intervalMs = 50, abandonIf, detail } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await check()) return;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    const reason = abandonIf?.();
    if (reason !== undefined) throw new Error(`gave up waiting for ${what}: ${reason}${detail ? `\n${detail()}` : ""}`);
    if (Date.now() >= deadline) {
      const lastFailure =
        lastError === undefined ? "" : ` (last check threw: ${lastError instanceof Error ? lastError.message : String(lastError)})`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastFailure}${detail ? `\n${detail()}` : ""}`, {
        cause: lastError,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * The deterministic wait: `promise` (one that settles at the event itself), bounded, so that an
 * event that never comes fails with its name instead of the test's anonymous timeout.
 */
export async function within<T>(
  what: string,
  promise: Promise<T>,
  options: Pick<EventuallyOptions, "timeoutMs" | "detail"> = {},
): Promise<T> {
  const { timeoutMs = 5_000, detail } = options;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail ? `\n${detail()}` : ""}`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
