// Server-rendered pages from views/ (eta, escaping on by default). Every page gets the fields the
// layout needs, so routes only pass what is particular to them. Written to any node:http answer.
import type { ServerResponse } from "node:http";
import { Eta } from "eta";
import { viewsDirectory } from "../paths.js";
import { MOUNTS } from "./route-table.js";

export interface PageRenderer {
  render(response: ServerResponse, status: number, template: string, data: Record<string, unknown>): void;
}

export interface PageRendererOptions {
  demoMode: boolean;
  /** Demo mode without Redis: the banner says sessions vanish with the process (with Redis, they do not). */
  sessionsInMemory: boolean;
  /** Called before a page is sent (gives it the page security headers where a data route answered). */
  beforeSend?: (response: ServerResponse) => void;
}

export function createPageRenderer(options: PageRendererOptions): PageRenderer {
  const eta = new Eta({ views: viewsDirectory, autoEscape: true, cache: true });
  return {
    render(response, status, template, data) {
      const html = Buffer.from(
        eta.render(template, {
          demoMode: options.demoMode,
          sessionsInMemory: options.sessionsInMemory,
          assetsPath: MOUNTS.assets,
          ...data,
        }),
      );
      options.beforeSend?.(response);
      response.statusCode = status;
      response.setHeader("Content-Type", "text/html; charset=utf-8");
      response.setHeader("Content-Length", html.length);
      // node:http leaves the body out of an answer to HEAD.
      response.end(html);
    },
  };
}
