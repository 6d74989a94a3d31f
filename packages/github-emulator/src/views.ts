// Where the emulator's templates and stylesheet live: views/ at the package root. This file is
// src/views.ts under ts-jest and dist/views.js when built; both sit one level below that root.
import { fileURLToPath } from "node:url";
import { Eta } from "eta";

export const VIEWS_DIRECTORY = fileURLToPath(new URL("../views/", import.meta.url));
export const STYLESHEET_PATH = fileURLToPath(new URL("../views/emulator.css", import.meta.url));

/** autoEscape is on: every value (app names, state, redirect URIs) is untrusted text. */
export function createViews(): Eta {
  return new Eta({ views: VIEWS_DIRECTORY, autoEscape: true, cache: true });
}
