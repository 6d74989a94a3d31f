// One catalogue of error codes (src/error-codes.ts): every code the server answers with is in it,
// with the status SPEC §3 gives it, and the sign-in metrics name only codes that exist — so renaming
// a code cannot silently turn its outcome into "error".
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as signInErrors from "../../src/auth/sign-in-errors.js";
import { refreshInProgress } from "../../src/auth/token-refresh.js";
import { accessUnconfirmed, notAllowedBecause, ssoRequired, tooManyNewRules } from "../../src/auth/access-refusals.js";
import { ERROR_CATALOGUE, ERROR_CODES, type ErrorCode } from "../../src/error-codes.js";
import * as errors from "../../src/errors.js";
import { AppError } from "../../src/errors.js";
import { GitHubRateLimitedError, GitHubUnavailableError } from "../../src/github/errors.js";
import { OUTCOME_BY_ERROR_CODE } from "../../src/http/error-outcomes.js";
import { SIGN_IN_OUTCOMES } from "../../src/metrics.js";
import { PROJECT_ROOT } from "../support/process.js";

const SOURCE_ROOT = join(PROJECT_ROOT, "src");

/** Every .ts file of the server (the emulator answers as GitHub does, with its own errors). */
function serverSources(): { path: string; text: string }[] {
  return readdirSync(SOURCE_ROOT, { recursive: true, encoding: "utf8" })
    .filter((path) => path.endsWith(".ts") && !path.startsWith("emulator"))
    .map((path) => ({ path, text: readFileSync(join(SOURCE_ROOT, path), "utf8") }));
}

/** The first argument of each `new AppError(…)`, and of the `super(…)` of each subclass of AppError, as written. */
function codeArguments(text: string): string[] {
  const starts = [...text.matchAll(/new AppError\(/g)].map((match) => match.index + match[0].length);
  for (const subclass of text.matchAll(/extends AppError\b/g)) starts.push(text.indexOf("super(", subclass.index) + "super(".length);
  return starts.map((start) => {
    let depth = 0;
    let end = start;
    while (end < text.length && !(depth === 0 && (text[end] === "," || text[end] === ")"))) {
      if ("([{".includes(text[end]!)) depth++;
      if (")]}".includes(text[end]!)) depth--;
      end++;
    }
    return text.slice(start, end);
  });
}

describe("the error catalogue", () => {
  test("names every code the server builds an error with, or answers with in a JSON body", () => {
    const used = new Map<string, string>();
    for (const { path, text } of serverSources()) {
      for (const argument of codeArguments(text)) {
        // The code is a literal, or a choice between literals (`kind === "primary" ? "…" : "…"`).
        const literals = [...argument.replace(/===\s*"[^"]*"/g, "").matchAll(/"([^"]+)"/g)].map((match) => match[1]!);
        expect({ path, argument, literals: literals.length > 0 }).toEqual({ path, argument, literals: true });
        for (const code of literals) used.set(code, path);
      }
      for (const match of text.matchAll(/\berror: "([a-z_]+)"/g)) used.set(match[1]!, path);
    }
    const missing = [...used].filter(([code]) => !(ERROR_CODES as string[]).includes(code));
    expect(missing).toEqual([]);
    expect(used.size).toBeGreaterThanOrEqual(20);
  });

  test("each error carries its catalogued code and the status SPEC §3 gives it", () => {
    const built: [AppError, ErrorCode, number][] = [
      [errors.unauthenticated(), "unauthenticated", 401],
      [errors.sessionEnded(), "unauthenticated", 401],
      [errors.reauthenticationRequired(), "reauthentication_required", 401],
      [errors.notFound(), "not_found", 404],
      [errors.badRequest("no"), "bad_request", 400],
      [errors.forbiddenCrossOrigin(), "cross_origin_request", 403],
      [errors.sessionStoreUnavailable(new Error("down")), "session_store_unavailable", 503],
      [signInErrors.signInCancelled(), "sign_in_cancelled", 401],
      [signInErrors.alreadySignedIn("octocat"), "invalid_state", 400],
      [signInErrors.invalidState("reused"), "invalid_state", 400],
      [signInErrors.codeRefused("bad_verification_code"), "code_refused", 400],
      [signInErrors.githubAuthorizeError("application_suspended"), "github_error", 400],
      [signInErrors.clientCredentialsRejected(), "github_misconfigured", 502],
      [signInErrors.notAllowed("octocat"), "not_allowed", 403],
      [refreshInProgress(), "refresh_in_progress", 503],
      [new GitHubUnavailableError("timeout"), "github_unavailable", 502],
      [new GitHubRateLimitedError("primary", 60), "github_rate_limited", 429],
      [new GitHubRateLimitedError("secondary", 60), "github_secondary_rate_limited", 429],
      // SPEC §7: a rule not understood, a decision GitHub has not confirmed in time, refusals that say why.
      [errors.invalidRule("not understood", "teams is an empty list"), "invalid_rule", 400],
      [accessUnconfirmed(35, "github_unavailable"), "access_unconfirmed", 503],
      [tooManyNewRules(16, 300, 120), "too_many_requests", 429],
      [notAllowedBecause("octocat", "not an active member of acme/ops"), "not_allowed", 403],
      [ssoRequired("ssocorp", null), "sso_required", 403],
    ];
    for (const [error, code, status] of built) {
      expect({ code: error.code, status: error.status }).toEqual({ code, status });
      expect(ERROR_CATALOGUE[error.code].status).toBe(status);
    }
  });

  test("a malformed request keeps the 4xx Express gave it under bad_request; other codes keep the catalogue's status", () => {
    expect(new AppError("bad_request", "no", { requestStatus: 415 }).status).toBe(415);
    expect(new AppError("not_found", "no", { requestStatus: 415 }).status).toBe(404);
  });

  test("an unknown code is a compile error", () => {
    // @ts-expect-error "no_such_code" is not in the catalogue
    expect(() => new AppError("no_such_code", "no")).toThrow();
  });
});

describe("sign-in outcomes by error code", () => {
  test("name only catalogued codes and known outcomes, and reach every failure outcome", () => {
    const mapped = Object.entries(OUTCOME_BY_ERROR_CODE);
    expect(mapped.filter(([code]) => !(ERROR_CODES as string[]).includes(code))).toEqual([]);
    expect(mapped.filter(([, outcome]) => !(SIGN_IN_OUTCOMES as readonly string[]).includes(outcome!))).toEqual([]);
    const reached = new Set(mapped.map(([, outcome]) => outcome));
    expect(SIGN_IN_OUTCOMES.filter((outcome) => outcome !== "success" && outcome !== "error" && !reached.has(outcome))).toEqual([]);
  });

  test("a code missing from the catalogue cannot be mapped", () => {
    // @ts-expect-error "sign_in_canceled" (misspelt) is not a catalogued code
    const misspelt: typeof OUTCOME_BY_ERROR_CODE = { sign_in_canceled: "cancelled" };
    expect(misspelt).toBeDefined();
  });
});
