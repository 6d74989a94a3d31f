// The linter holds the layout to what docs/internals.md (Architecture) promises: data flows one
// way (composition → http → auth → github / store → config → leaves), the GitHub emulator is a package
// of its own (packages/github-emulator) that only server.ts loads, lazily and in demo mode only, and
// files and functions stay small.
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";
import prettier from "eslint-config-prettier";

/** Each layer, its files, and the layers above it that it must never import. */
const LAYERS = [
  // The OpenID Connect provider sits beside the HTTP routes, on the same services; nothing below imports it.
  { layer: "oidc", files: ["src/oidc/**/*.ts"], above: [] },
  { layer: "http", files: ["src/http/**/*.ts"], above: ["oidc"] },
  { layer: "auth", files: ["src/auth/**/*.ts"], above: ["oidc", "http"] },
  { layer: "github", files: ["src/github/**/*.ts"], above: ["oidc", "http", "auth", "store"] },
  { layer: "store", files: ["src/store/**/*.ts"], above: ["oidc", "http", "auth", "github"] },
  { layer: "config", files: ["src/config/**/*.ts"], above: ["oidc", "http", "auth", "github", "store"] },
  // Leaves: small modules every layer may use (clock, errors, logger, sealer, the metrics registry).
  { layer: "leaves", files: ["src/*.ts", "src/metrics/**/*.ts"], above: ["oidc", "http", "auth", "github", "store", "config"] },
];
const COMPOSITION_ROOT = ["src/server.ts", "src/cli.ts", "src/read-configuration.ts", "src/app.ts", "src/services.ts"];

/**
 * The emulator package, by name or by a path into packages/. The product never imports it statically:
 * production mode must not load it (nor need it installed), so server.ts alone loads it, with
 * `await import(…)` in demo mode.
 */
// (A selector's regex ends at its first "/", so each slash inside is written \u002F.)
const EMULATOR_SOURCE = "/^@github-login-server\\u002Fgithub-emulator($|\\u002F)|^(\\.\\.?\\u002F)+packages\\u002F/";
const staticEmulatorImports = ["ImportDeclaration", "ExportNamedDeclaration", "ExportAllDeclaration"].map((node) => ({
  selector: `${node}[source.value=${EMULATOR_SOURCE}]`,
  message: "Only server.ts loads the GitHub emulator, with `await import()` in demo mode, so production never loads it.",
}));
const lazyEmulatorImport = {
  selector: `ImportExpression[source.value=${EMULATOR_SOURCE}]`,
  message: "Only server.ts loads the GitHub emulator (demo mode).",
};

/** A relative import that reaches into one of these folders (`../auth/x.js`, `./http/y.js`). */
const intoFolders = (folders) => `^\\.{1,2}/(\\.\\./)*(${folders.join("|")})/`;

const layerRules = LAYERS.map(({ layer, files, above }) => ({
  files,
  ignores: COMPOSITION_ROOT,
  rules: {
    "@typescript-eslint/no-restricted-imports": [
      "error",
      {
        patterns: [
          ...(above.length > 0
            ? [
                {
                  regex: intoFolders(above),
                  message: `${layer} sits below ${above.join(", ")}: data flows one way (docs/internals.md, Architecture).`,
                },
              ]
            : []),
          { regex: "^\\.{1,2}/(\\.\\./)*(app|server|services)\\.js$", message: "Only the composition root wires the app together." },
        ],
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ["dist/**", "packages/*/dist/**", "node_modules/**", "coverage/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
    },
  },
  {
    files: ["src/**/*.ts", "packages/*/src/**/*.ts"],
    rules: {
      // A concept reads top to bottom in one file (token-refresh.ts: lease, re-read, redeem, lost race, end); past this, split by concept.
      "max-lines": ["error", { max: 320 }],
      "max-lines-per-function": ["error", { max: 60 }],
    },
  },
  ...layerRules,
  { files: ["src/**/*.ts"], rules: { "no-restricted-syntax": ["error", ...staticEmulatorImports, lazyEmulatorImport] } },
  { files: ["src/server.ts"], rules: { "no-restricted-syntax": ["error", ...staticEmulatorImports] } },
  {
    // The emulator stands in for GitHub: it imports nothing of the product, nor anything outside its
    // package (src/ is flat: `../` leaves it; its tests reach only ../src/ and ./support/).
    files: ["packages/github-emulator/src/**/*.ts", "packages/github-emulator/test/*.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [{ regex: "^\\.\\./(?!src/)", message: "The emulator imports nothing of the product (it stands in for GitHub)." }],
        },
      ],
    },
  },
  {
    files: ["packages/github-emulator/test/support/**/*.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            { regex: "^\\.\\./\\.\\./(?!src/)", message: "The emulator imports nothing of the product (it stands in for GitHub)." },
          ],
        },
      ],
    },
  },
  // Formatting is Prettier's (npm run lint checks it): no stylistic rule may disagree with it.
  prettier,
);
