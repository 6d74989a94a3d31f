// Server-rendered pages from views/ (eta, escaping on by default). Every page gets the fields the
// layout needs, so routes only pass what is particular to them.
import { Eta } from "eta";
import type { Response } from "express";
import { viewsDirectory } from "../paths.js";

export interface PageRenderer {
  render(response: Response, status: number, template: string, data: Record<string, unknown>): void;
}

export function createPageRenderer(options: { demoMode: boolean }): PageRenderer {
  const eta = new Eta({ views: viewsDirectory, autoEscape: true, cache: true });
  return {
    render(response, status, template, data) {
      const html = eta.render(template, { demoMode: options.demoMode, assetsPath: "/assets", ...data });
      response.status(status).type("html").send(html);
    },
  };
}
