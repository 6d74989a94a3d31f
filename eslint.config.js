// The linter holds the layout to what docs/internals.md (Architecture) promises: data flows one
// way (composition → http → auth → github / store → config → leaves), the emulator is a program of
// its own that the product reaches only through its public entry, and files and functions stay small.
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

/** Each layer, its files, and the layers above it that it must never import. */
const LAYERS = [
  { layer: "http", files: ["src/http/**/*.ts"], above: [] },
  { layer: "auth", files: ["src/auth/**/*.ts"], above: ["http"] },
  { layer: "github", files: ["src/github/**/*.ts"], above: ["http", "auth", "store"] },
  { layer: "store", files: ["src/store/**/*.ts"], above: ["http", "auth", "github"] },
  { layer: "config", files: ["src/config/**/*.ts"], above: ["http", "auth", "github", "store"] },
  // Leaves: small modules every layer may use (clock, errors, logger, sealer, the metrics registry).
  { layer: "leaves", files: ["src/*.ts", "src/metrics/**/*.ts"], above: ["http", "auth", "github", "store", "config"] },
];
const COMPOSITION_ROOT = ["src/server.ts", "src/cli.ts", "src/read-configuration.ts", "src/app.ts", "src/services.ts"];

/** A relative import that reaches into one of these folders (`../auth/x.js`, `./http/y.js`). */
const intoFolders = (folders) => `^\\.{1,2}/(\\.\\./)*(${folders.join("|")})/`;

const layerRules = LAYERS.map(({ layer, files, above }) => ({
  files,
  ignores: COMPOSITION_ROOT,
  rules: {
    "@typescript-eslint/no-restricted-imports": ["error", {
      patterns: [
        ...(above.length > 0 ? [{ regex: intoFolders(above), message: `${layer} sits below ${above.join(", ")}: data flows one way (docs/internals.md, Architecture).` }] : []),
        { regex: "^\\.{1,2}/(\\.\\./)*(app|server|services)\\.js$", message: "Only the composition root wires the app together." },
        { regex: intoFolders(["emulator"]), message: "Only the composition root starts the emulator (demo mode)." },
      ],
    }],
  },
}));

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "coverage/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
    },
  },
  {
    files: ["src/**/*.ts"],
    rules: {
      // A concept reads top to bottom in one file (token-refresh.ts: lease, re-read, redeem, lost race, end); past this, split by concept.
      "max-lines": ["error", { max: 320 }],
      "max-lines-per-function": ["error", { max: 60 }],
    },
  },
  ...layerRules,
  {
    files: COMPOSITION_ROOT,
    rules: {
      "@typescript-eslint/no-restricted-imports": ["error", {
        patterns: [{ regex: "^\\./emulator/(?!index\\.js$)", message: "The emulator's public entry is src/emulator/index.ts." }],
      }],
    },
  },
  {
    // The emulator stands in for GitHub: it imports nothing of the product.
    files: ["src/emulator/**/*.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": ["error", {
        patterns: [{ regex: "^\\.\\./", message: "The emulator imports nothing of the product (it stands in for GitHub)." }],
      }],
    },
  },
);
