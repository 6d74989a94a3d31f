// Where the emulator's template and stylesheet live. This file is src/emulator/views.ts under ts-jest
// and dist/emulator/views.js when built; both sit two levels below the project root.
import { fileURLToPath } from "node:url";
import { Eta } from "eta";

export const VIEWS_DIRECTORY = fileURLToPath(new URL("../../views/emulator/", import.meta.url));
export const STYLESHEET_PATH = fileURLToPath(new URL("../../views/emulator/emulator.css", import.meta.url));

/** autoEscape is on: every value (app names, state, redirect URIs) is untrusted text. */
export function createViews(): Eta {
  return new Eta({ views: VIEWS_DIRECTORY, autoEscape: true, cache: true });
}
