// Holds requests to one path until the test lets them go: a GitHub that answers exactly when the
// test wants, so "a request is in flight" is a state the test controls, not a guess about timing.
import type { RequestHandler } from "express";

export interface HeldRequests {
  /** Put in front of the app whose requests are to be held. */
  middleware: RequestHandler;
  /** From now on, requests to the path wait; resolves when the first one has arrived. */
  holdNext(): Promise<void>;
  release(): void;
}

export function holdRequests(pathPrefix: string): HeldRequests {
  let holding = false;
  let arrived: () => void = () => undefined;
  let released: Promise<void> = Promise.resolve();
  let release: () => void = () => undefined;
  return {
    middleware: (request, _response, next) => {
      if (!holding || !request.path.startsWith(pathPrefix)) return next();
      arrived();
      void released.then(() => next());
    },
    holdNext() {
      holding = true;
      released = new Promise<void>((resolve) => (release = resolve));
      return new Promise<void>((resolve) => (arrived = resolve));
    },
    release() {
      holding = false;
      release();
    },
  };
}
