// The emulator's pages for people: GET / says what it is, GET /<login> is the profile page html_url
// points at (github.com/<login> on GitHub), and anything else is a styled 404 page. None of them may
// shadow an OAuth or API endpoint.
import express from "express";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import request from "supertest";
import { createEmulator, DEMO_USERS, demoClient, type EmulatorUser } from "../src/index.js";
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  startEmulator,
  testOAuthApp,
  tokensFor,
  type RunningEmulator,
} from "./support/emulator-server.js";

/** The demo client, with the credentials an embedding server would pass (the emulator takes them from its caller). */
const DEMO_CREDENTIALS = { clientId: DEMO_CLIENT_ID, clientSecret: DEMO_CLIENT_SECRET };

const CALLBACK = "http://localhost:3000/auth/github/callback";

const EMULATOR_VIEWS = fileURLToPath(new URL("../views/", import.meta.url));

/** One user's entry in the about page's list of users, tags stripped, white space collapsed. */
function personOnAboutPage(html: string, login: string): string {
  const start = html.indexOf(`class="login">${login}</a>`);
  expect(start).toBeGreaterThan(0);
  // A person's <li> closes on a line of its own; the <li>s of their memberships close inline.
  const entry = html.slice(start, html.indexOf("\n        </li>", start));
  return entry
    .replace(/<[^>]*>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** No inline script or style (the demo server's CSP forbids them), and the emulator's stylesheet. */
function expectStyledPage(html: string, stylesheet: string): void {
  expect(html).toMatch(/^<!doctype html>/);
  expect(html).toContain('<html lang="en">');
  expect(html).toContain(`<link rel="stylesheet" href="${stylesheet}">`);
  expect(html).not.toMatch(/<script|<style|\sstyle=|\son[a-z]+=/i);
}

describe("over real HTTP, on its own port", () => {
  let running: RunningEmulator;
  beforeAll(async () => {
    running = await startEmulator({
      clients: [demoClient(CALLBACK, DEMO_CREDENTIALS), testOAuthApp("http://127.0.0.1:4180/oauth2/callback")],
    });
  });
  afterAll(() => running.close());

  const get = (path: string) => fetch(`${running.url}${path}`, { redirect: "manual" });

  it("GET / says what it is: the users, the applications, the endpoints, and links back", async () => {
    const answer = await get("/");
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await answer.text();
    expectStyledPage(html, "/assets/emulator.css");
    expect(html).toContain("The built-in GitHub emulator");
    expect(html).toMatch(/demo mode and the tests/);
    expect(html).toContain('so that <span class="nowrap">sign-in</span> can be tried'); // never "sign-" and "in" on two lines
    for (const user of DEMO_USERS) expect(html).toContain(`<a href="/${user.login}" class="login">${user.login}</a>`);
    expect(html).toContain("unverified_user_email"); // hubot's note: why its sign-in fails
    expect(html).toContain(DEMO_CLIENT_ID);
    expect(html).toContain("GitHub App");
    expect(html).toContain("OAuth App");
    expect(html).not.toContain(demoClient(CALLBACK, DEMO_CREDENTIALS).clientSecret);
    for (const route of ["GET /login/oauth/authorize", "POST /login/oauth/access_token", "GET /api/v3/user", "GET /{login}"])
      expect(html).toContain(route);
    expect(html).toContain(`<code>${running.url}/api/v3</code>`);
    expect(html).toContain('<a href="http://localhost:3000/">');
    expect(html).toContain('<a href="http://127.0.0.1:4180/">');
    expect((await get("/assets/emulator.css")).status).toBe(200);
  });

  it("GET / lists what each demo user belongs to: organisations, teams (active or pending) and repository roles, as rules name them", async () => {
    const html = await (await get("/")).text();
    expect(html).toContain("<code>/auth/check?teams=octo-org/ops</code>");
    expect(personOnAboutPage(html, "octocat")).toContain(
      "Organisations github active member octo-org pending invitation " +
        "Teams octo-org/ops pending invitation github/docs active member " +
        "Repositories octo-org/handbook:write private octocat/Hello-World:admin public",
    );
    expect(personOnAboutPage(html, "monalisa")).toContain(
      "Organisations octo-org active admin Teams octo-org/ops active maintainer Repositories octo-org/handbook:read private",
    );
    expect(personOnAboutPage(html, "hubot")).toContain("No organisations, teams or repositories.");
    // Each name is set as code, ready to copy into a rule.
    expect(html).toContain('<li><code>octo-org/ops</code> <span class="note">pending invitation</span></li>');
  });

  it("the memberships on GET / are the live ones: a change at run time shows on the next load", async () => {
    const { emulator } = running;
    emulator.setOrgMembership("hubot", "octo-org", "active");
    emulator.setTeamMembership("hubot", "octo-org/ops", "active", { role: "maintainer" });
    emulator.setRepoPermission("hubot", "octo-org/handbook", "maintain");
    try {
      expect(personOnAboutPage(await (await get("/")).text(), "hubot")).toContain(
        "Organisations octo-org active member Teams octo-org/ops active maintainer Repositories octo-org/handbook:maintain private",
      );
    } finally {
      emulator.setRepoPermission("hubot", "octo-org/handbook", null);
      emulator.setOrgMembership("hubot", "octo-org", null);
    }
    expect(personOnAboutPage(await (await get("/")).text(), "hubot")).toContain("No organisations, teams or repositories.");
  });

  it("GET /login/device: the code field has a label above it and the emulator's own input style", async () => {
    const html = await (await get("/login/device")).text();
    expectStyledPage(html, "/assets/emulator.css");
    expect(html).toMatch(/<div class="field">\s*<label for="user-code">Code<\/label>\s*<input type="text" id="user-code" name="user_code"/);
    const css = await (await get("/assets/emulator.css")).text();
    const input = /^input\[type="text"\] \{([^}]*)\}/m.exec(css)?.[1] ?? "";
    for (const declaration of [
      "width: 100%;",
      "font: inherit;",
      "border: 1px solid var(--input-border);",
      "background: var(--input-background);",
      "color: var(--text);",
    ]) {
      expect(input).toContain(declaration);
    }
  });

  it("html_url from GET /user opens the user's profile page: avatar, name, login, bio, company, location, a note", async () => {
    const { access_token } = await tokensFor(running.emulator.app, demoClient(CALLBACK, DEMO_CREDENTIALS), { login: "monalisa" });
    const user = (await (
      await fetch(`${running.url}/api/v3/user`, { headers: { "user-agent": "t", authorization: `token ${access_token}` } })
    ).json()) as { html_url: string; avatar_url: string };
    expect(user.html_url).toBe(`${running.url}/monalisa`);
    const page = await fetch(user.html_url);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await page.text();
    expectStyledPage(html, "/assets/emulator.css");
    expect(html).toContain("<title>monalisa · GitHub emulator</title>");
    expect(html).toContain('<img src="/avatars/u/1000001"');
    expect(new URL("/avatars/u/1000001", running.url).href).toBe(user.avatar_url);
    expect(html).toContain("<h1>Mona Lisa Octocat</h1>");
    expect(html).toContain('<p class="login">monalisa</p>');
    expect(html).toContain("Enigmatic smile, private email.");
    expect(html).toContain("<dd>Paris</dd>");
    expect(html).not.toContain("mona@example.com"); // a private email is not on the profile
    expect(html).toMatch(/demo account of the <span class="nowrap">built-in<\/span> GitHub emulator, not a real GitHub user/);
    expect(html).toContain('<a href="/">About the GitHub emulator</a>');
  });

  it("a user without a name shows the login as the heading, and no empty facts", async () => {
    const html = await (await get("/hubot")).text();
    expect(html).toContain('<h1 class="login">hubot</h1>');
    expect(html).not.toMatch(/<dt>(Company|Location|Email)<\/dt>/);
    const octocat = await (await get("/octocat")).text();
    expect(octocat).toContain("<dd>@github</dd>");
    expect(octocat).toContain("<dd>San Francisco</dd>");
    expect(octocat).toContain("<dd>octocat@github.com</dd>");
  });

  it("logins are case-insensitive, as on GitHub", async () => {
    const answer = await get("/OctoCat");
    expect(answer.status).toBe(200);
    expect(await answer.text()).toContain("<h1>The Octocat</h1>");
  });

  it("an unknown login gets a styled HTML 404 naming the users there are, escaped", async () => {
    const answer = await get(`/${encodeURIComponent('<script>alert("x")</script>')}`);
    expect(answer.status).toBe(404);
    expect(answer.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await answer.text();
    expectStyledPage(html, "/assets/emulator.css");
    expect(html).toContain("<h1>Not Found</h1>");
    expect(html).toContain("No user named “&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;” in the emulator.");
    expect(html).toContain('<a href="/octocat">octocat</a>');
  });

  it.each(["/nobody/else", "/login/device/other", "/login", "/settings/applications"])(
    "%s: the same 404 page, not plain text",
    async (path) => {
      const answer = await get(path);
      expect(answer.status).toBe(404);
      expect(answer.headers.get("content-type")).toMatch(/^text\/html/);
      expect(await answer.text()).toContain("<h1>Not Found</h1>");
    },
  );

  it("does not shadow the OAuth and API endpoints", async () => {
    const consent = await get(`/login/oauth/authorize?client_id=${DEMO_CLIENT_ID}`);
    expect(consent.status).toBe(200);
    expect(await consent.text()).toContain("Authorize");
    const token = await fetch(`${running.url}/login/oauth/access_token`, { method: "POST", headers: { accept: "application/json" } });
    expect(((await token.json()) as { error: string }).error).toBe("incorrect_client_credentials");
    const apiUser = await fetch(`${running.url}/api/v3/user`, { headers: { "user-agent": "t" } });
    expect(apiUser.status).toBe(401);
    expect(((await apiUser.json()) as { message: string }).message).toBe("Requires authentication");
    const apiUnknown = await fetch(`${running.url}/api/v3/octocat`, { headers: { "user-agent": "t" } });
    expect(apiUnknown.status).toBe(404);
    expect(apiUnknown.headers.get("content-type")).toMatch(/^application\/json/);
    const avatar = await get("/avatars/u/583231");
    expect(avatar.headers.get("content-type")).toMatch(/^image\/svg\+xml/);
    expect((await get("/assets/emulator.css")).headers.get("content-type")).toMatch(/^text\/css/);
  });
});

describe("mounted under /_emulator (demo mode)", () => {
  const emulator = createEmulator({ clients: [demoClient(CALLBACK, DEMO_CREDENTIALS)], webBaseUrl: "http://localhost:3000/_emulator" });
  const host = express();
  host.use("/_emulator", emulator.app);

  it.each(["/_emulator", "/_emulator/"])("GET %s: the about page, its links under the mount path", async (path) => {
    const answer = await request(host).get(path);
    expect(answer.status).toBe(200);
    expectStyledPage(answer.text, "/_emulator/assets/emulator.css");
    expect(answer.text).toContain('<a href="/_emulator/octocat" class="login">octocat</a>');
    expect(answer.text).toContain("<code>http://localhost:3000/_emulator</code>");
    expect(answer.text).toContain('<a href="http://localhost:3000/">');
    expect((await request(host).get("/_emulator/assets/emulator.css")).status).toBe(200);
  });

  it("GET /_emulator/<login>: the profile, with the avatar and stylesheet under the mount path", async () => {
    const answer = await request(host).get("/_emulator/octocat");
    expect(answer.status).toBe(200);
    expectStyledPage(answer.text, "/_emulator/assets/emulator.css");
    expect(answer.text).toContain('<img src="/_emulator/avatars/u/583231"');
    expect((await request(host).get("/_emulator/avatars/u/583231")).status).toBe(200);
    const missing = await request(host).get("/_emulator/ghost");
    expect(missing.status).toBe(404);
    expectStyledPage(missing.text, "/_emulator/assets/emulator.css");
  });
});

describe("the emulator's pages keep to their own assets", () => {
  const emulatorCss = readFileSync(join(EMULATOR_VIEWS, "emulator.css"), "utf8");

  it("set their text in the system's font (github-login-server checks that its own pages use the same stack)", () => {
    expect(/--font: ([^;]+);/.exec(emulatorCss)?.[1]).toMatch(/^system-ui, /);
    expect(emulatorCss).toMatch(/body \{[^}]*font: 16px\/1\.5 var\(--font\);/);
  });

  it("defines every custom property they use, in light and in dark mode", () => {
    const light = /^:root \{([^}]*)\}/m.exec(emulatorCss)?.[1] ?? "";
    const dark = /@media \(prefers-color-scheme: dark\) \{\s*:root \{([^}]*)\}/.exec(emulatorCss)?.[1] ?? "";
    const defined = (block: string) => new Set([...block.matchAll(/(--[a-z-]+):/g)].map(([, name]) => name));
    for (const [, name] of emulatorCss.matchAll(/var\((--[a-z-]+)\)/g)) expect([name, defined(light).has(name)]).toEqual([name, true]);
    for (const name of defined(light)) if (name !== "--font") expect([name, defined(dark).has(name)]).toEqual([name, true]);
  });

  it("link their stylesheet under the emulator's own root, never the server's assets", () => {
    for (const file of readdirSync(EMULATOR_VIEWS).filter((name) => name.endsWith(".eta"))) {
      const source = readFileSync(join(EMULATOR_VIEWS, file), "utf8");
      for (const [, href] of source.matchAll(/<link rel="stylesheet" href="([^"]*)">/g))
        expect([file, href]).toEqual([file, "<%= it.root %>assets/emulator.css"]);
      expect([file, /assetsPath|\/auth\/assets/.test(source)]).toEqual([file, false]);
    }
  });
});

describe("everything user-controlled is escaped", () => {
  const hostile: EmulatorUser = {
    id: 7,
    login: "mallory",
    name: '<img src=x onerror="alert(1)">',
    email: null,
    company: "<b>ACME</b>",
    location: "&amp; <here>",
    bio: "</p><script>alert(2)</script>",
    createdAt: "2020-02-02T00:00:00Z",
    emails: [{ email: "m@example.com", primary: true, verified: true, visibility: "private" }],
    orgs: ["<org>"],
  };
  const client = { ...testOAuthApp(CALLBACK), name: "<i>App</i>" };
  const { app } = createEmulator({ clients: [client], users: [hostile] });

  it("on the profile page", async () => {
    const html = (await request(app).get("/mallory")).text;
    expect(html).not.toMatch(/<img src=x|<script>|<b>ACME|<here>|<org>/);
    expect(html).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
    expect(html).toContain("&amp;amp; &lt;here&gt;");
    expect(html).toContain("&lt;/p&gt;&lt;script&gt;alert(2)&lt;/script&gt;");
  });

  it("on the about page", async () => {
    const html = (await request(app).get("/")).text;
    expect(html).not.toMatch(/<img src=x|<i>App|<org>/);
    expect(html).toContain('<code>&lt;org&gt;</code> <span class="note">active member</span>');
    expect(html).toContain("&lt;i&gt;App&lt;/i&gt;");
  });
});
