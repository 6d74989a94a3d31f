// Injected faults, so tests can see how the server copes with a GitHub that is slow, down, or
// answering nonsense. A fault matches by path prefix (inside the emulator) and is used `times` times.
import type { Request, RequestHandler } from "express";
import type { FaultSpec } from "./types.js";

interface ArmedFault {
  spec: FaultSpec;
  remaining: number;
}

export class FaultInjector {
  private faults: ArmedFault[] = [];

  add(spec: FaultSpec): void {
    this.faults.push({ spec, remaining: spec.times ?? 1 });
  }

  clear(): void {
    this.faults = [];
  }

  /** Takes one use of the first fault matching `path`, if any. */
  private take(path: string): FaultSpec | undefined {
    const armed = this.faults.find((fault) => path.startsWith(fault.spec.pathPrefix));
    if (!armed) return undefined;
    armed.remaining -= 1;
    if (armed.remaining <= 0) this.faults = this.faults.filter((fault) => fault !== armed);
    return armed.spec;
  }

  middleware(): RequestHandler {
    return async (request, response, next) => {
      const fault = this.take(request.path);
      if (!fault) return next();
      if (fault.delayMs) await waitUnlessClientLeaves(request, fault.delayMs);
      if (request.socket.destroyed) return; // the client gave up while we waited
      if (fault.destroySocket) {
        request.socket.destroy();
        return;
      }
      if (fault.status === undefined && fault.body === undefined && fault.headers === undefined) return next();
      response.status(fault.status ?? 200);
      for (const [name, value] of Object.entries(fault.headers ?? {})) response.setHeader(name, value);
      if (fault.body === undefined) response.end();
      else if (typeof fault.body === "string") response.send(fault.body);
      else response.json(fault.body);
    };
  }
}

/** A delay that ends early when the client disconnects, so no timer outlives its request. */
function waitUnlessClientLeaves(request: Request, delayMs: number): Promise<void> {
  return new Promise((resolve) => {
    const socket = request.socket;
    const done = () => {
      clearTimeout(timer);
      socket.off("close", done);
      resolve();
    };
    const timer = setTimeout(done, delayMs);
    socket.once("close", done);
  });
}
