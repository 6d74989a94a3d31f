// Work a request starts but does not wait for (revalidating a session with GitHub). Kept track of
// so that shutdown can let it finish and tests can wait for it to settle instead of sleeping.
import type { Logger } from "pino";

export class BackgroundTasks {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly logger: Logger) {}

  /** Starts `task` now; a failure is logged, never thrown at the request that started it. */
  run(name: string, task: () => Promise<void>): void {
    const running: Promise<void> = task()
      .catch((error: unknown) =>
        this.logger.error({ task: name, cause: error instanceof Error ? error.message : String(error) }, "background task failed"),
      )
      .finally(() => this.running.delete(running));
    this.running.add(running);
  }

  /** Resolves once every task started so far, and any they started, has settled. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}
