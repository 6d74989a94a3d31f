// Where the views and their assets are, for both `src/*.ts` (tests) and `dist/*.js` (production):
// both sit one level below the project root.
import { fileURLToPath } from "node:url";

export const viewsDirectory = fileURLToPath(new URL("../views", import.meta.url));
export const assetsDirectory = fileURLToPath(new URL("../views/assets", import.meta.url));
