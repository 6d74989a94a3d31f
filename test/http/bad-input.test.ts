// Hostile or broken requests across every route get a clear 4xx, never a 5xx, a stack trace or a
// file path, and the server keeps serving. Table-driven: each row is one request.
import request from "supertest";
import { allowedMethodsByPath, MOUNTS } from "../../src/http/route-table.js";
import { startTestStack, TEST_PUBLIC_URL, type TestStack } from "../support/stack.js";
import { sessionCookieOf, signIn } from "../support/sign-in.js";

interface BadRequest {
  label: string;
  method: "get" | "post" | "put" | "patch" | "delete" | "head";
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Send the signed-in session cookie along. */
  signedIn?: boolean;
}

/** Every route of the table, with the methods it accepts, and one path under the GitHub API proxy (GET and HEAD by default). */
const ROUTES: [string, string[]][] = [
  ...[...allowedMethodsByPath()].map(([path, methods]): [string, string[]] => [path, methods.map((method) => method.toLowerCase())]),
  [`${MOUNTS.githubProxy}/user`, ["get", "head"]],
];
const METHODS = ["get", "post", "put", "patch", "delete"] as const;
const HUGE = "x".repeat(100 * 1024);
const LARGE = "y".repeat(10 * 1024);
const STATE = "A".repeat(43);

function wrongMethods(): BadRequest[] {
  return ROUTES.flatMap(([path, allowed]) =>
    METHODS.filter((method) => !allowed.includes(method)).map((method) => ({
      label: `${method.toUpperCase()} ${path}`,
      method,
      path,
      signedIn: true,
    })),
  );
}

function malformedCallbacks(): BadRequest[] {
  const queries = [
    "code[]=x&state[]=y",
    `code=a&code=b&state=${STATE}`,
    `code=abc&state=${STATE}&state=${STATE}`,
    "code=abc&state=a&state=b",
    "code=abc",
    `state=${STATE}`,
    "",
    "error[]=access_denied",
    "error=access_denied&error=x",
    "error=redirect_uri_mismatch&state=x",
    "error=application_suspended",
    "error=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    `code=${LARGE}&state=${STATE}`,
    `code=abc&state=${LARGE}`,
    `code=${HUGE}&state=${STATE}`,
    "code=%E0%A4%A&state=%",
    "code=%&state=%%",
    "code=abc&state=%00%00%00",
    `code=abc&state=${"A".repeat(42)}%0A`,
    `code=%00&state=${STATE}`,
    `code=abc%0d%0aSet-Cookie:%20x=y&state=${STATE}`,
    `code=abc&state=${STATE}%20`,
    "code=abc&state=..%2F..%2F",
    "state[foo]=bar&code[foo]=bar",
    `code=abc&state=${encodeURIComponent("ä".repeat(43))}`,
  ];
  return queries.map((query) => ({ label: `callback ?${query.slice(0, 60)}`, method: "get", path: `/auth/github/callback?${query}` }));
}

function brokenSessionCookies(): BadRequest[] {
  const cookies = [
    "gls.sid=",
    "gls.sid=garbage",
    "gls.sid=s%3A",
    "gls.sid=s%3Aabc.def",
    "gls.sid=s%3A%E0%A4%A.x",
    `gls.sid=s%3A${LARGE}.sig`,
    "gls.sid=%00%00%00",
    "gls.sid=s:unsigned-id",
    "gls.sid=s%3Aabc.def; gls.sid=s%3Aghi.jkl",
    "gls.sid",
    "=;=;=;",
    'gls.sid="quoted"',
    `gls.sid=${HUGE}`,
    "gls-signin-AAAAAAAAAAAAAAAA=v1.x.y.z.w",
  ];
  return cookies.flatMap((cookie) => [
    { label: `/api/me with Cookie: ${cookie.slice(0, 40)}`, method: "get" as const, path: "/api/me", headers: { Cookie: cookie } },
    {
      label: `/api/session with Cookie: ${cookie.slice(0, 40)}`,
      method: "get" as const,
      path: "/api/session",
      headers: { Cookie: cookie },
    },
    {
      label: `/api/github/user with Cookie: ${cookie.slice(0, 40)}`,
      method: "get" as const,
      path: "/api/github/user",
      headers: { Cookie: cookie },
    },
  ]);
}

function unknownAndMalformedPaths(): BadRequest[] {
  const paths = [
    "/nope",
    "/api/nope",
    "/api",
    "/auth",
    "/auth/github/callback/extra",
    "/.env",
    "/../../etc/passwd",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/views/error.eta",
    "/src/server.ts",
    "/package.json",
    "/auth/assets/../package.json",
    "/auth/assets/%2e%2e/package.json",
    "/auth/assets/nope.css",
    "/%E0%A4%A",
    "/api/%E0%A4%A",
    "/%00",
    "/api/me/%00",
    `/${LARGE}`,
    `/api/${HUGE}`,
    "/api/github/..%2F..%2Flogin",
    "/api/github/%E0%A4%A",
    "/api/github/user%00",
    `/api/github/${LARGE}`,
    "/_emulator/login/oauth/authorize",
    "/webhooks/other",
  ];
  return paths.map((path) => ({ label: `GET ${path.slice(0, 60)}`, method: "get", path, signedIn: true }));
}

function badBodiesAndHeaders(): BadRequest[] {
  const webhook = (label: string, headers: Record<string, string>, body: string | Buffer): BadRequest => ({
    label: `webhook: ${label}`,
    method: "post",
    path: "/webhooks/github",
    headers: { "X-GitHub-Event": "github_app_authorization", ...headers },
    body,
  });
  return [
    webhook("JSON without signature", { "Content-Type": "application/json" }, '{"action":"revoked"}'),
    webhook("XML body", { "Content-Type": "application/xml" }, "<a/>"),
    webhook("form body", { "Content-Type": "application/x-www-form-urlencoded" }, "a=b"),
    webhook("no content type", {}, "{}"),
    webhook("broken JSON, no signature", { "Content-Type": "application/json" }, "{"),
    webhook("signature of another body", { "Content-Type": "application/json", "X-Hub-Signature-256": `sha256=${"ab".repeat(32)}` }, "{}"),
    webhook("sha1 signature", { "X-Hub-Signature-256": "sha1=abc" }, "{}"),
    webhook("2 MB body", { "Content-Type": "application/json" }, Buffer.alloc(2 * 1024 * 1024, 97)),
    webhook("gzip claimed, not gzip", { "Content-Type": "application/json", "Content-Encoding": "gzip" }, "{}"),
    webhook("unknown encoding", { "Content-Type": "application/json", "Content-Encoding": "br2" }, "{}"),
    {
      label: "logout cross-origin with a JSON body",
      method: "post",
      path: "/auth/logout",
      headers: { Origin: "https://evil.example", "Content-Type": "application/json" },
      body: '{"everywhere":1}',
      signedIn: true,
    },
    {
      label: "logout cross-site with a form body",
      method: "post",
      path: "/auth/logout",
      headers: { "Sec-Fetch-Site": "cross-site", "Content-Type": "application/x-www-form-urlencoded" },
      body: "everywhere=1",
      signedIn: true,
    },
    {
      label: "logout with Origin null and no Sec-Fetch-Site",
      method: "post",
      path: "/auth/logout",
      headers: { Origin: "null" },
      signedIn: true,
    },
    { label: "oversized header", method: "get", path: "/api/me", headers: { "X-Padding": HUGE } },
    { label: "oversized header on the callback", method: "get", path: "/auth/github/callback", headers: { "X-Padding": HUGE } },
    {
      label: "many headers",
      method: "get",
      path: "/",
      headers: Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`x-h-${i}`, "v"])),
    },
    { label: "Accept JSON on a page route, unknown path", method: "get", path: "/missing", headers: { Accept: "application/json" } },
    { label: "proxy: path with backslashes", method: "get", path: "/api/github/%5C%5Cevil.example", signedIn: true },
    { label: "proxy: dot segments", method: "get", path: "/api/github/user/%2e%2e/%2e%2e/x", signedIn: true },
    { label: "proxy: empty segment", method: "get", path: "/api/github//user", signedIn: true },
  ];
}

const TABLE: BadRequest[] = [
  ...wrongMethods(),
  ...malformedCallbacks(),
  ...brokenSessionCookies(),
  ...unknownAndMalformedPaths(),
  ...badBodiesAndHeaders(),
];

let stack: TestStack;
let sessionCookie: string;
beforeAll(async () => {
  stack = await startTestStack({ env: { GITHUB_WEBHOOK_SECRET: "bad-input-webhook-secret" } });
  const { callback } = await signIn(request.agent(stack.app));
  sessionCookie = sessionCookieOf(callback);
});
afterAll(() => stack.close());

test(`the table has at least 150 bad requests (${TABLE.length})`, () => {
  expect(TABLE.length).toBeGreaterThanOrEqual(150);
});

const outcomes: number[] = [];

test.each(TABLE.map((row) => [row.label, row]))("%s → 4xx with a clear message", async (_label, row) => {
  let call = request(stack.app)[row.method](row.path);
  const headers = { ...(row.headers ?? {}) };
  if (row.signedIn) headers.Cookie = [headers.Cookie, sessionCookie].filter(Boolean).join("; ");
  call = call.set(headers);
  if (row.body !== undefined) call = call.send(row.body);
  const answer = await call
    .ok(() => true)
    .catch((error: { response?: request.Response }) => {
      if (error.response) return error.response;
      throw error;
    });
  outcomes.push(answer.status);
  expect(answer.status).toBeGreaterThanOrEqual(400);
  expect(answer.status).toBeLessThan(500);
  const text = answer.text ?? "";
  expect(text).not.toMatch(/\n\s+at .+\(|node_modules|\/src\/|\.ts:\d+|Error: /);
  if (answer.status === 431 || row.method === "head") return; // Node's own bare answer, or no body by definition
  if (answer.type === "application/json") {
    expect(answer.body).toEqual({ error: expect.any(String), message: expect.any(String) });
  } else {
    expect(answer.type).toBe("text/html");
    expect(text).toMatch(/<h1[^>]*>[^<]+<\/h1>/);
  }
});

test("after all of that the server still serves, and the signed-in user is still signed in", async () => {
  await request(stack.app).get("/healthz").expect(200);
  expect((await request(stack.app).get("/api/me").set("Cookie", sessionCookie).expect(200)).body.login).toBe("octocat");
  const fourHundreds = outcomes.filter((status) => status >= 400 && status < 500).length;
  expect(fourHundreds).toBe(TABLE.length);
  // What the closing note reports: tried, 4xx, 5xx.
  const byStatus = Object.entries(
    outcomes.reduce<Record<number, number>>((counts, status) => ({ ...counts, [status]: (counts[status] ?? 0) + 1 }), {}),
  );
  process.stdout.write(
    `bad input: ${TABLE.length} tried, ${fourHundreds} got a 4xx (${byStatus.map(([status, count]) => `${count}×${status}`).join(", ")}), ${outcomes.filter((s) => s >= 500).length} got a 5xx\n`,
  );
});

test("logout from a same-origin page still works afterwards", async () => {
  const agent = request.agent(stack.app);
  await signIn(agent);
  await agent.post("/auth/logout").set("Origin", TEST_PUBLIC_URL).expect(303);
});
