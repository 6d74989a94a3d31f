// Holds requests to one path until the test lets them go: a GitHub that answers exactly when the
// test wants, so "a request is in flight" is a state the test controls, not a guess about timing.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import express, { type RequestHandler } from "express";

export interface HeldRequests {
  /** Put in front of the app whose requests are to be held. */
  middleware: RequestHandler;
  /**
   * From now on, requests to the path wait; resolves when the first one has arrived. With
   * `onlyFirst`, only that first one waits and later ones go through (the test's own calls).
   */
  holdNext(options?: { onlyFirst?: boolean }): Promise<void>;
  release(): void;
}

export function holdRequests(pathPrefix: string): HeldRequests {
  let holding = false;
  let onlyFirst = false;
  let arrived: () => void = () => undefined;
  let released: Promise<void> = Promise.resolve();
  let release: () => void = () => undefined;
  return {
    middleware: (request, _response, next) => {
      if (!holding || !request.path.startsWith(pathPrefix)) return next();
      if (onlyFirst) holding = false;
      arrived();
      void released.then(() => next());
    },
    holdNext(options = {}) {
      holding = true;
      onlyFirst = options.onlyFirst ?? false;
      released = new Promise<void>((resolve) => (release = resolve));
      return new Promise<void>((resolve) => (arrived = resolve));
    },
    release() {
      holding = false;
      release();
    },
  };
}

/**
 * Serves `target` (an emulator's app, looked up per request so it may be created later) on a free
 * loopback port, with the held requests waiting in front of it: point GITHUB_BASE_URL and
 * GITHUB_API_URL at `url` for a GitHub whose answers come when the test lets them.
 */
export async function serveHeld(held: HeldRequests, target: () => RequestHandler): Promise<{ url: string; close(): Promise<void> }> {
  const front = express()
    .use(held.middleware)
    .use((request, response, next) => target()(request, response, next));
  const server = createServer(front);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        held.release();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
