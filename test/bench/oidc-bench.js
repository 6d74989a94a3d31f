// The OpenID Connect provider's part of `npm run bench` (BENCH_ONLY=oidc): the token endpoint and
// userinfo, measured on the server bench.js starts, with its signed-in sessions.
//   - Each session is handed to a confidential client the way a relying party's browser would be:
//     GET /oidc/auth with the session's cookie (no sign-in: the browser is signed in), following
//     this server's redirects to the client's redirect URI, then POST /oidc/token with the code
//     and its PKCE verifier (a code exchange).
//   - Code exchanges: that whole walk by BENCH_SIGNIN_CONCURRENCY loops, the token request timed on
//     its own; refreshes: each loop refreshes its own grant again and again with the newest refresh
//     token (they rotate), so every refresh is a real one. The two alternate for BENCH_ROUNDS rounds
//     of BENCH_SIGNIN_SECONDS; server CPU per call is read from /proc as bench.js does.
//   - Userinfo (GET /oidc/me with a bearer access token) is a read path: bench.js measures it in
//     its interleaved read-path rounds, with the access tokens got here.
import { createHash, generateKeyPairSync, randomBytes } from "node:crypto";

export const OIDC_CLIENT_ID = "bench-relying-party";
const OIDC_CLIENT_SECRET = randomBytes(24).toString("hex");
const REDIRECT_URI = "http://127.0.0.1/callback";
const SCOPE = "openid profile email offline_access";
const BASIC = `Basic ${Buffer.from(`${OIDC_CLIENT_ID}:${OIDC_CLIENT_SECRET}`).toString("base64")}`;

/** OIDC_CLIENTS and OIDC_SIGNING_KEYS for the bench's server: one confidential client, one RS256 key. */
export function oidcEnvironment() {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const key = { ...privateKey.export({ format: "jwk" }), kid: "bench", alg: "RS256", use: "sig" };
  const client = { client_id: OIDC_CLIENT_ID, client_secret: OIDC_CLIENT_SECRET, redirect_uris: [REDIRECT_URI] };
  return { OIDC_CLIENTS: JSON.stringify([client]), OIDC_SIGNING_KEYS: JSON.stringify([key]) };
}

/** The cookies a Set-Cookie list sets, merged into `jar` (name → value). @param {Map<string, string>} jar @param {Response} response */
function keepCookies(jar, response) {
  for (const header of response.headers.getSetCookie()) {
    const pair = header.split(";")[0] ?? "";
    const separator = pair.indexOf("=");
    const name = pair.slice(0, separator).trim();
    if (pair.slice(separator + 1) === "" || /expires=Thu, 01 Jan 1970/i.test(header)) jar.delete(name);
    else jar.set(name, pair.slice(separator + 1));
  }
}

/**
 * The browser's part for a signed-in session (`cookie`, a Cookie header): /oidc/auth and this
 * server's redirects up to the redirect URI; the code, and the PKCE verifier to redeem it with.
 * @param {string} base @param {string} cookie
 */
async function authorize(base, cookie) {
  const verifier = randomBytes(32).toString("base64url");
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  const query = new URLSearchParams({
    client_id: OIDC_CLIENT_ID,
    response_type: "code",
    redirect_uri: REDIRECT_URI,
    scope: SCOPE,
    state: randomBytes(8).toString("hex"),
    code_challenge: challenge,
    code_challenge_method: "S256",
  });
  /** @type {Map<string, string>} */
  const jar = new Map(
    cookie
      .split(/;\s*/)
      .map((pair) => /** @type {[string, string]} */ ([pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)])),
  );
  let url = `${base}/oidc/auth?${query}`;
  for (let hop = 0; hop < 8; hop++) {
    const answer = await fetch(url, {
      headers: { cookie: [...jar].map(([name, value]) => `${name}=${value}`).join("; ") },
      redirect: "manual",
    });
    keepCookies(jar, answer);
    const location = answer.headers.get("location");
    await answer.arrayBuffer();
    if (!location) throw new Error(`GET ${new URL(url).pathname} answered ${answer.status} without a redirect`);
    const next = new URL(location, url);
    if (next.href.startsWith(REDIRECT_URI)) {
      const code = next.searchParams.get("code");
      if (!code)
        throw new Error(
          `the redirect URI was reached without a code: ${next.searchParams.get("error") ?? "?"} ${next.searchParams.get("error_description") ?? ""}`,
        );
      return { code, verifier };
    }
    url = next.href;
  }
  throw new Error("no redirect to the client after 8 hops");
}

/** @param {string} base @param {Record<string, string>} form */
async function tokenRequest(base, form) {
  const began = performance.now();
  const answer = await fetch(`${base}/oidc/token`, {
    method: "POST",
    headers: { authorization: BASIC, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form),
  });
  const body = await answer.json();
  if (answer.status !== 200)
    throw new Error(`POST /oidc/token (${form.grant_type}) answered ${answer.status}: ${body.error ?? ""} ${body.error_description ?? ""}`);
  return {
    tokens: /** @type {{ access_token: string, refresh_token?: string, id_token?: string }} */ (body),
    ms: performance.now() - began,
  };
}

/** A code exchange for a signed-in session: the tokens, and how long the token request took. @param {string} base @param {string} cookie */
async function exchange(base, cookie) {
  const { code, verifier } = await authorize(base, cookie);
  return tokenRequest(base, { grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI, code_verifier: verifier });
}

/** Access (for userinfo) and refresh tokens, one grant per session. @param {string} base @param {string[]} cookies */
export async function oidcGrants(base, cookies) {
  const grants = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      while (next < cookies.length) {
        const cookie = cookies[next++] ?? "";
        const { tokens } = await exchange(base, cookie);
        if (!tokens.refresh_token) throw new Error("the code exchange gave no refresh token (offline_access was asked for)");
        grants.push({ cookie, accessToken: tokens.access_token, refreshToken: tokens.refresh_token });
      }
    }),
  );
  return grants;
}

/**
 * `concurrency` loops of `step` for `seconds`: the timed part of each call (ms), failures, calls/s.
 * @param {number} concurrency @param {number} seconds @param {(loop: number) => Promise<number>} step
 */
async function loops(concurrency, seconds, step) {
  const deadline = performance.now() + seconds * 1000;
  /** @type {number[]} */
  const times = [];
  let failures = 0;
  let firstFailure = "";
  const began = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, loop) => {
      while (performance.now() < deadline) {
        try {
          times.push(await step(loop));
        } catch (error) {
          failures++;
          firstFailure ||= error instanceof Error ? error.message : String(error);
        }
      }
    }),
  );
  return { times, failures, firstFailure, perSecond: times.length / ((performance.now() - began) / 1000) };
}

/**
 * Code exchanges and refreshes in alternating rounds; the server's CPU per call from `cpuMicrosOf(pid)`.
 * @param {{ base: string, pid: number | undefined, cookies: string[], grants: { refreshToken: string }[], rounds: number, seconds: number, concurrency: number,
 *   cpuMicrosOf: (pid: number | undefined) => number, progress: (message: string) => void }} run
 */
export async function measureTokenEndpoint(run) {
  const { base, pid, cookies, rounds, seconds, concurrency, cpuMicrosOf, progress } = run;
  const refreshTokens = run.grants.slice(0, concurrency).map((grant) => grant.refreshToken);
  let nextCookie = 0;
  const kinds = {
    exchange: async () => (await exchange(base, cookies[nextCookie++ % cookies.length] ?? "")).ms,
    refresh: async (/** @type {number} */ loop) => {
      const { tokens, ms } = await tokenRequest(base, { grant_type: "refresh_token", refresh_token: refreshTokens[loop] ?? "" });
      refreshTokens[loop] = tokens.refresh_token ?? refreshTokens[loop] ?? "";
      return ms;
    },
  };
  /** @type {Record<"exchange" | "refresh", { times: number[], failures: number, firstFailure: string, perSecond: number[], cpuMicros: number[] }>} */
  const results = {
    exchange: { times: [], failures: 0, firstFailure: "", perSecond: [], cpuMicros: [] },
    refresh: { times: [], failures: 0, firstFailure: "", perSecond: [], cpuMicros: [] },
  };
  for (let round = 0; round < rounds; round++) {
    const order = /** @type {const} */ (round % 2 === 0 ? ["exchange", "refresh"] : ["refresh", "exchange"]);
    for (const kind of order) {
      const cpuBefore = cpuMicrosOf(pid);
      const done = await loops(concurrency, seconds, kinds[kind]);
      const result = results[kind];
      result.times.push(...done.times);
      result.failures += done.failures;
      result.firstFailure ||= done.firstFailure;
      result.perSecond.push(done.perSecond);
      // A code exchange's CPU includes the /oidc/auth hops before it: the server's whole part of handing a session to a client.
      result.cpuMicros.push((cpuMicrosOf(pid) - cpuBefore) / done.times.length);
      progress(
        `  round ${round + 1}/${rounds} OIDC ${kind}: ${done.perSecond.toFixed(1)}/s, failed ${done.failures}${done.firstFailure ? ` (first: ${done.firstFailure})` : ""}`,
      );
    }
  }
  return results;
}

/**
 * The report's rows for the token endpoint, in the main table's columns (no floor has a token endpoint).
 * @param {Awaited<ReturnType<typeof measureTokenEndpoint>>} results
 * @param {{ median: (values: number[]) => number, percentile: (values: number[], p: number) => number, fmtMs: (ms: number) => string, fmtMicros: (micros: number) => string }} format
 */
export function tokenEndpointRows(results, format) {
  const { median, percentile, fmtMs, fmtMicros } = format;
  const labels = {
    exchange:
      "`POST /oidc/token`, code exchange (authorization_code + PKCE, confidential client; CPU includes the `/oidc/auth` hops before it)",
    refresh: "`POST /oidc/token`, refresh (refresh_token, rotating; each decides access again)",
  };
  return /** @type {const} */ (["exchange", "refresh"]).map((kind) => {
    const result = results[kind];
    return (
      `| ${labels[kind]}: per second / p50 / p99 / server CPU per call | ${median(result.perSecond).toFixed(1)}/s (${result.times.length} done, ${result.failures} failed) / ` +
      `${fmtMs(percentile(result.times, 50))} / ${fmtMs(percentile(result.times, 99))} / ${fmtMicros(median(result.cpuMicros))} | — | |`
    );
  });
}
