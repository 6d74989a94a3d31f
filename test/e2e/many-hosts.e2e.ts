// One sign-in for many hosts (SPEC §6) in a real browser: the built server in demo mode, its login
// host on 127.0.0.1 and two protected hosts on 127.0.0.2 and 127.0.0.3 (the same server on 0.0.0.0;
// it serves its own pages there too). Chromium keeps each host's cookies apart, sends the SameSite=Lax
// binding cookie on the redirect back from the login host, and comes back signed in: through GitHub's
// consent page on the first host, with no consent page on the second; signing out on one host signs
// the browser out on all of them. (It also holds the demo emulator's consent page to GitHub's: no
// form-action that would stop Chromium following the redirects after the consent form.)
import type { Browser, Page } from "playwright-core";
import { launchChromium } from "../support/chromium.js";
import { buildServer, runServer, waitForHealthy, type ServerProcess } from "../support/process.js";
import { freePort } from "../support/redis-server.js";

let server: ServerProcess;
let browser: Browser;
let port: number;
const on = (address: string, path: string) => `http://${address}:${port}${path}`;

beforeAll(async () => {
  buildServer();
  port = await freePort();
  server = runServer({
    PORT: String(port),
    HOST: "0.0.0.0",
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    PROTECTED_HOSTS: `127.0.0.2:${port},127.0.0.3:${port}`,
  });
  await waitForHealthy(on("127.0.0.1", ""), server);
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function expectSignedInAs(page: Page, name: string): Promise<void> {
  await expect(page.locator("#profile-name").textContent()).resolves.toBe(name);
}

test("sign in on one protected host, single sign-on on another, sign out on one ends both", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(5_000);
  const visited: string[] = [];
  page.on("request", (request) => {
    if (request.isNavigationRequest()) visited.push(new URL(request.url()).host + new URL(request.url()).pathname);
  });
  try {
    await page.goto(on("127.0.0.2", "/auth/github?returnTo=%2F%3Ftab%3D1%26b%3D2"));
    await page.waitForURL((url) => url.pathname === "/_emulator/login/oauth/authorize");
    await page.locator('input[name="login"][value="octocat"]').check();
    await page.getByRole("button", { name: "Authorize" }).click();
    await page.waitForURL(on("127.0.0.2", "/?tab=1&b=2"));
    await expectSignedInAs(page, "The Octocat");

    visited.length = 0;
    await page.goto(on("127.0.0.3", "/auth/github?returnTo=%2F"));
    await page.waitForURL(on("127.0.0.3", "/"));
    await expectSignedInAs(page, "The Octocat");
    expect(visited).toEqual([
      `127.0.0.3:${port}/auth/github`,
      `127.0.0.1:${port}/auth/handoff/start`,
      `127.0.0.3:${port}/auth/handoff`,
      `127.0.0.3:${port}/`,
    ]);
    // Each host holds a cookie of its own.
    const hosts = (await context.cookies())
      .filter((cookie) => cookie.name === "gls.sid")
      .map((cookie) => cookie.domain)
      .sort();
    expect(hosts).toEqual(["127.0.0.1", "127.0.0.2", "127.0.0.3"]);

    // Sign-out on a protected host lands on the login host's signed-out page, not on the app
    // (whose check would send the browser straight back into a sign-in).
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(on("127.0.0.1", "/?signed_out=1"));
    await page.getByRole("heading", { name: "You are signed out" }).waitFor({ state: "visible" });
    await page.goto(on("127.0.0.3", "/"));
    await page.getByRole("link", { name: "Sign in with GitHub" }).waitFor({ state: "visible" });
    await page.goto(on("127.0.0.2", "/"));
    await page.getByRole("link", { name: "Sign in with GitHub" }).waitFor({ state: "visible" });
    expect((await page.request.get(on("127.0.0.1", "/api/me"))).status()).toBe(401);
  } finally {
    await context.close();
  }
}, 30_000);
