// Known paths answer 405 with an Allow header to other methods, instead of a misleading 404.
import type { Express } from "express";
import { AppError } from "../errors.js";

export function refuseOtherMethods(app: Express, allowedByPath: Record<string, string[]>): void {
  for (const [path, methods] of Object.entries(allowedByPath)) {
    app.all(path, (_request, response, next) => {
      response.setHeader("Allow", methods.join(", "));
      next(new AppError("method_not_allowed", `This address accepts ${methods.join(", ")} only.`));
    });
  }
}
