// The consent page says what the application asks for: an OAuth App's scopes, one row each with what
// the scope allows; a GitHub App's use of permissions instead (it has no scopes, whatever it sends).
import request from "supertest";
import { createEmulator } from "../src/index.js";
import { testGitHubApp, testOAuthApp } from "./support/emulator-server.js";

const oauthApp = testOAuthApp("http://app.example.com/auth/callback");
const githubApp = testGitHubApp(["http://app.example.com/auth/callback"]);
const { app } = createEmulator({ clients: [oauthApp, githubApp] });

async function consentPage(params: Record<string, string>): Promise<string> {
  const answer = await request(app).get(`/login/oauth/authorize?${new URLSearchParams(params)}`);
  expect(answer.status).toBe(200);
  return answer.text;
}

/** The rows of the scopes list, as [name, description] pairs; null when the page has no list. */
function scopeRows(html: string): [string, string | null][] | null {
  const list = /<ul class="scopes">([\s\S]*?)<\/ul>/.exec(html)?.[1];
  if (list === undefined) return null;
  return [...list.matchAll(/<li>([\s\S]*?)<\/li>/g)].map((item) => {
    const row = item[1] ?? "";
    const name = /<span class="scope-name">([^<]*)<\/span>/.exec(row)?.[1] ?? "";
    return [name, /<span class="scope-description">([^<]*)<\/span>/.exec(row)?.[1] ?? null];
  });
}

describe("consent page: the scopes an OAuth App asks for", () => {
  it("lists each requested scope once, in order, normalised, with what it allows", async () => {
    const html = await consentPage({ client_id: oauthApp.clientId, scope: "read:user,user:email repo read:org workflow repo" });
    expect(scopeRows(html)).toEqual([
      ["read:user", "Read your profile"],
      ["user:email", "Read your email addresses"],
      ["repo", "Full control of public and private repositories"],
      ["read:org", "Read organization and team membership"],
      ["workflow", "Add and update GitHub Actions workflow files"],
    ]);
    expect(html).toContain("This application asks for");
    expect(html).not.toMatch(/permissions, not OAuth scopes/);
  });

  it("a scope the emulator has no words for is still listed, by name, escaped", async () => {
    const html = await consentPage({ client_id: oauthApp.clientId, scope: "gist <b>bold</b>" });
    expect(scopeRows(html)).toEqual([
      ["gist", "Create and edit gists"],
      ["&lt;b&gt;bold&lt;/b&gt;", null],
    ]);
    expect(html).not.toContain("<b>bold");
  });

  it("no scope: one row saying it is read-only access to public information", async () => {
    expect(scopeRows(await consentPage({ client_id: oauthApp.clientId }))).toEqual([
      ["No scopes", "Read-only access to your public information (profile, public repositories and gists)"],
    ]);
  });

  it("offline_access is no scope: not listed, but the page says the token will come with a refresh token", async () => {
    const html = await consentPage({ client_id: oauthApp.clientId, scope: "read:user offline_access" });
    expect(scopeRows(html)).toEqual([["read:user", "Read your profile"]]);
    expect(html).toMatch(/offline_access\): its token expires and comes with a refresh token/);
  });
});

describe("consent page: a GitHub App", () => {
  it("lists no scopes and says it uses permissions instead", async () => {
    const html = await consentPage({ client_id: githubApp.clientId });
    expect(scopeRows(html)).toBeNull();
    expect(html).toContain("This application asks to verify your GitHub identity");
    expect(html).toMatch(/GitHub App: it uses permissions, not OAuth scopes/);
    expect(html).not.toMatch(/are ignored/);
  });

  it("says that scopes it sent anyway are ignored (escaped)", async () => {
    const html = await consentPage({ client_id: githubApp.clientId, scope: 'repo "><i>x' });
    expect(scopeRows(html)).toBeNull();
    expect(html).toContain("The scopes it asked for (repo &quot;&gt;&lt;i&gt;x) are ignored.");
  });
});
