import request from "supertest";
import { createEmulator, DEMO_USERS } from "../src/index.js";
import { pkcePair, testGitHubApp, testOAuthApp } from "./support/emulator-server.js";

const oauthApp = testOAuthApp("http://app.example.com/auth/callback");
const githubApp = testGitHubApp(["https://gh.example.com/auth/callback", "http://127.0.0.1:3000/auth/callback"]);
const emulator = createEmulator({ clients: [oauthApp, githubApp] });
const app = emulator.app;

function authorizePath(params: Record<string, string>): string {
  return `/login/oauth/authorize?${new URLSearchParams(params)}`;
}

function query(location: string | undefined): URLSearchParams {
  if (!location) throw new Error("no Location header");
  return new URL(location).searchParams;
}

describe("GET /login/oauth/authorize", () => {
  it("answers an unknown client_id with a 404 HTML page", async () => {
    const answer = await request(app).get(authorizePath({ client_id: "nope", state: "s" }));
    expect(answer.status).toBe(404);
    expect(answer.type).toBe("text/html");
    expect(answer.text).toContain("Application not found");
  });

  it.each([
    ["the callback itself", "http://app.example.com/auth/callback"],
    ["a path below it", "http://app.example.com/auth/callback/deeper"],
    ["a subdomain", "http://eu.app.example.com/auth/callback"],
  ])("OAuth App: accepts %s", async (_case, redirectUri) => {
    const answer = await request(app).get(authorizePath({ client_id: oauthApp.clientId, redirect_uri: redirectUri }));
    expect(answer.status).toBe(200);
    expect(answer.text).toContain(`value="${redirectUri}"`);
  });

  it.each([
    ["another path", oauthApp, "http://app.example.com/other"],
    ["another port", oauthApp, "http://app.example.com:8080/auth/callback"],
    ["GitHub App, a path below (exact match only)", githubApp, "https://gh.example.com/auth/callback/x"],
    ["GitHub App, another loopback port", githubApp, "http://127.0.0.1:4000/auth/callback"],
  ])(
    "mismatch (%s) redirects to the first registered callback with error=redirect_uri_mismatch and state",
    async (_case, client, redirectUri) => {
      const answer = await request(app).get(authorizePath({ client_id: client.clientId, redirect_uri: redirectUri, state: "st8" }));
      expect(answer.status).toBe(302);
      const location = new URL(answer.headers.location ?? "");
      expect(`${location.origin}${location.pathname}`).toBe(client.callbackUrls[0]?.url);
      expect(location.searchParams.get("error")).toBe("redirect_uri_mismatch");
      expect(location.searchParams.get("error_description")).toBe(
        "The redirect_uri MUST match the registered callback URL for this application.",
      );
      expect(location.searchParams.get("error_uri")).toMatch(/^https:\/\/docs\.github\.com\/.*#redirect-uri-mismatch$/);
      expect(location.searchParams.get("state")).toBe("st8");
    },
  );

  it("GitHub App: accepts its second callback exactly", async () => {
    const answer = await request(app).get(
      authorizePath({ client_id: githubApp.clientId, redirect_uri: "http://127.0.0.1:3000/auth/callback" }),
    );
    expect(answer.status).toBe(200);
  });

  it("OAuth App with a loopback callback: the port may differ", async () => {
    const loopbackApp = testOAuthApp("http://127.0.0.1/cb");
    const own = createEmulator({ clients: [loopbackApp] });
    const answer = await request(own.app).get(
      authorizePath({ client_id: loopbackApp.clientId, redirect_uri: "http://127.0.0.1:51234/cb" }),
    );
    expect(answer.status).toBe(200);
  });

  it.each([
    [{ code_challenge: "short", code_challenge_method: "S256" }, /43 characters/],
    [{ code_challenge: pkcePair().challenge, code_challenge_method: "plain" }, /must be S256/],
    [{ code_challenge: pkcePair().challenge }, /code_challenge_method is required/],
    [{ code_challenge_method: "S256" }, /code_challenge is required/],
  ])("refuses bad PKCE parameters %j with a 400 page", async (pkce, explanation) => {
    const answer = await request(app).get(authorizePath({ client_id: githubApp.clientId, ...pkce }));
    expect(answer.status).toBe(400);
    expect(answer.text).toMatch(explanation);
  });

  it("renders the consent page: app name, scopes, demo users (first checked), hidden fields, two buttons", async () => {
    const { challenge } = pkcePair();
    const answer = await request(app).get(
      authorizePath({
        client_id: oauthApp.clientId,
        scope: "user:email read:user user",
        state: "xyz",
        code_challenge: challenge,
        code_challenge_method: "S256",
      }),
    );
    expect(answer.status).toBe(200);
    const html = answer.text;
    expect(html).toContain("Test OAuth App");
    expect(html).toContain('<span class="scope-name">user</span>');
    expect(html).not.toContain('<span class="scope-name">user:email</span>'); // normalised away: `user` covers it
    for (const [name, value] of [
      ["client_id", oauthApp.clientId],
      ["state", "xyz"],
      ["scope", "user:email read:user user"],
      ["code_challenge", challenge],
      ["code_challenge_method", "S256"],
    ]) {
      expect(html).toContain(`<input type="hidden" name="${name}" value="${value}">`);
    }
    const radios = [...html.matchAll(/<input type="radio" name="login" id="[^"]+" value="([^"]+)"( checked)?>/g)];
    expect(radios.map((match) => match[1])).toEqual(DEMO_USERS.map((user) => user.login));
    expect(radios.map((match) => Boolean(match[2]))).toEqual([true, false, false]);
    expect(html).toMatch(/<button type="submit" name="decision" value="authorize"[^>]*>Authorize<\/button>/);
    expect(html).toMatch(/<button type="submit" name="decision" value="cancel"[^>]*>Cancel<\/button>/);
  });

  it("is CSP-clean and accessible: no inline script or style, relative stylesheet, lang, viewport, fieldset/legend, labels", async () => {
    const html = (await request(app).get(authorizePath({ client_id: githubApp.clientId }))).text;
    expect(html).not.toMatch(/<script|<style|\sstyle=|\son[a-z]+=/i);
    expect(html).toContain('<link rel="stylesheet" href="../../assets/emulator.css">');
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('<meta name="viewport"');
    expect(html).toMatch(/<fieldset>\s*<legend>Sign in as<\/legend>/);
    for (const user of DEMO_USERS) expect(html).toContain(`<label for="login-${user.id}">`);
    expect(html).not.toContain("This application asks for"); // GitHub Apps have no scopes to list
  });

  it("escapes everything taken from the request", async () => {
    const html = (await request(app).get(authorizePath({ client_id: githubApp.clientId, state: '"><script>alert(1)</script>' }))).text;
    expect(html).not.toContain("<script>alert(1)");
    expect(html).toContain("&quot;&gt;&lt;script&gt;");
  });

  it("preselects the account named by the login hint", async () => {
    const html = (await request(app).get(authorizePath({ client_id: githubApp.clientId, login: "monalisa" }))).text;
    expect(html).toMatch(/value="monalisa" checked>/);
    expect(html).toMatch(/value="octocat">/);
  });

  it("serves its stylesheet, with a dark-mode variant", async () => {
    const answer = await request(app).get("/assets/emulator.css");
    expect(answer.status).toBe(200);
    expect(answer.type).toBe("text/css");
    expect(answer.text).toContain("prefers-color-scheme: dark");
  });

  it("sets Date from the emulator clock", async () => {
    const own = createEmulator({ clients: [oauthApp], clock: { now: () => Date.UTC(2030, 4, 6, 7, 8, 9) } });
    const answer = await request(own.app).get(authorizePath({ client_id: oauthApp.clientId }));
    expect(answer.headers.date).toBe("Mon, 06 May 2030 07:08:09 GMT");
  });
});

describe("POST /login/oauth/authorize (the consent form)", () => {
  const form = { client_id: githubApp.clientId, redirect_uri: "https://gh.example.com/auth/callback", state: "abc 123" };

  it("cancel → access_denied with state, at the redirect_uri", async () => {
    const answer = await request(app)
      .post("/login/oauth/authorize")
      .type("form")
      .send({ ...form, login: "octocat", decision: "cancel" });
    expect(answer.status).toBe(302);
    expect(answer.headers.location).toBe(
      "https://gh.example.com/auth/callback?error=access_denied&error_description=The+user+has+denied+your+application+access.&error_uri=https%3A%2F%2Fdocs.github.com%2Fapps%2Fmanaging-oauth-apps%2Ftroubleshooting-authorization-request-errors%2F%23access-denied&state=abc+123",
    );
  });

  it("authorize → a 20-hex code and the state", async () => {
    const answer = await request(app)
      .post("/login/oauth/authorize")
      .type("form")
      .send({ ...form, login: "monalisa", decision: "authorize" });
    expect(answer.status).toBe(302);
    const params = query(answer.headers.location);
    expect(params.get("code")).toMatch(/^[0-9a-f]{20}$/);
    expect(params.get("state")).toBe("abc 123");
    expect(answer.headers.location?.startsWith("https://gh.example.com/auth/callback?code=")).toBe(true);
  });

  it("appends with & when the redirect_uri already has a query", async () => {
    const answer = await request(app).post("/login/oauth/authorize").type("form").send({
      client_id: oauthApp.clientId,
      redirect_uri: "http://app.example.com/auth/callback?next=%2Fhome",
      login: "octocat",
      decision: "authorize",
    });
    expect(answer.headers.location).toMatch(/^http:\/\/app\.example\.com\/auth\/callback\?next=%2Fhome&code=[0-9a-f]{20}$/);
  });

  it("re-validates: a tampered redirect_uri is a mismatch, sent to the registered callback", async () => {
    const answer = await request(app)
      .post("/login/oauth/authorize")
      .type("form")
      .send({ ...form, redirect_uri: "https://evil.example.net/steal", login: "octocat", decision: "authorize" });
    expect(answer.status).toBe(302);
    expect(answer.headers.location).toMatch(/^https:\/\/gh\.example\.com\/auth\/callback\?error=redirect_uri_mismatch&/);
  });

  it.each([
    [{ login: "nobody", decision: "authorize" }, 400],
    [{ login: "octocat", decision: "maybe" }, 400],
    [{ login: "octocat" }, 400],
    [{ login: ["octocat", "hubot"], decision: "authorize" }, 400],
  ])("refuses a bad form %j", async (fields, status) => {
    const answer = await request(app)
      .post("/login/oauth/authorize")
      .type("form")
      .send({ ...form, ...fields });
    expect(answer.status).toBe(status);
    expect(answer.headers.location).toBeUndefined();
  });

  it("refuses an unknown client and bad PKCE here too", async () => {
    const unknown = await request(app)
      .post("/login/oauth/authorize")
      .type("form")
      .send({ client_id: "x", login: "octocat", decision: "authorize" });
    expect(unknown.status).toBe(404);
    const badPkce = await request(app)
      .post("/login/oauth/authorize")
      .type("form")
      .send({ ...form, code_challenge: "abc", code_challenge_method: "S256", login: "octocat", decision: "authorize" });
    expect(badPkce.status).toBe(400);
  });
});
