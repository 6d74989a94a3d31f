// A real relying party in a real browser: Debian's Apache with mod_auth_openidc, configured with the
// block of docs/oidc-provider.md word for word except for addresses and secrets, protects a page
// that shows the user and groups Apache was told. Chromium (playwright-core, Debian's binary) asks
// Apache for it signed out, is sent to this server, signs in with GitHub at the emulator's consent
// page, and comes back to the page; someone outside the organisation the block requires signs in
// just as well but gets Apache's refusal, never the page. The client entry in OIDC_CLIENTS and the
// signing key (made by the page's own command) are the documented ones too.
import { randomBytes } from "node:crypto";
import type { Browser, BrowserContext, Page, Response } from "playwright-core";
import { systemClock } from "../../src/clock.js";
import { startApache, withApacheAndChromium, type RunningApache } from "../support/apache-httpd.js";
import { CHROMIUM, launchChromium } from "../support/chromium.js";
import { freePort } from "../support/redis-server.js";
import { documentedApacheSite, documentedClient, signingKeysFromDocumentedCommand } from "./documented.js";
import { startProviderStack, type ProviderStack } from "./provider-stack.js";

/** The protected page: what mod_auth_openidc put in the request's environment, through server-side includes. */
const WHO_AM_I = [
  "<!doctype html><title>Who am I</title>",
  '<p>user <span id="user"><!--#echo encoding="entity" var="OIDC_CLAIM_preferred_username" --></span></p>',
  '<p>groups <span id="groups"><!--#echo encoding="entity" var="OIDC_CLAIM_groups" --></span></p>',
  '<p>subject <span id="sub"><!--#echo encoding="entity" var="OIDC_CLAIM_sub" --></span></p>',
  '<p>remote user <span id="remote-user"><!--#echo encoding="entity" var="REMOTE_USER" --></span></p>',
  "",
].join("\n");

const OCTOCAT_ID = "583231";

withApacheAndChromium(CHROMIUM, (binary) => {
  describe("Apache mod_auth_openidc, as docs/oidc-provider.md configures it, signs people in through this server", () => {
    let stack: ProviderStack;
    let apache: RunningApache;
    let browser: Browser;
    /** Apache's origin: localhost, so its cookies and this server's (127.0.0.1) are kept apart as on two hosts. */
    let application: string;

    beforeAll(async () => {
      const apachePort = await freePort();
      application = `http://localhost:${apachePort}`;
      const clientSecret = randomBytes(24).toString("hex");
      stack = await startProviderStack({
        clients: () => [documentedClient("apache", clientSecret, [["https://app.example.com", application]])],
        signingKeys: signingKeysFromDocumentedCommand(),
        clock: systemClock,
      });
      stack.emulator.emulator.setOrgMembership("octocat", "acme", "active");
      const site = documentedApacheSite({ issuer: stack.issuer, application, clientSecret, passphrase: randomBytes(24).toString("hex") });
      apache = await startApache(binary, site, apachePort, { "index.shtml": WHO_AM_I });
      browser = await launchChromium();
    }, 30_000);

    afterAll(async () => {
      await browser?.close();
      await apache?.stop();
      await stack?.close();
    });

    /** Detail for a failure: where the browser is, and what Apache and this server logged. */
    const detail = (page: Page) =>
      `at ${page.url()}\nApache's error log:\n${apache.errorLog().slice(-3000)}\nserver log:\n${stack.logs.slice(-15).join("")}`;

    /** Opens Apache's page in `context`, signs in at GitHub as `login`; the answers of Apache's pages, in order. */
    async function visitAndSignIn(context: BrowserContext, login: string): Promise<{ page: Page; answers: Response[] }> {
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      const answers: Response[] = [];
      page.on("response", (response) => {
        if (response.url().startsWith(application) && response.request().isNavigationRequest()) answers.push(response);
      });
      await page.goto(`${application}/`);
      try {
        await page.waitForURL((url) => url.pathname.endsWith("/login/oauth/authorize"));
        await page.locator(`input[name="login"][value="${login}"]`).check();
        await page.getByRole("button", { name: "Authorize" }).click();
        await page.waitForURL((url) => url.origin === application && url.pathname === "/");
        await page.waitForLoadState("load");
      } catch (error) {
        throw new Error(`${(error as Error).message}\n${detail(page)}`, { cause: error });
      }
      return { page, answers };
    }

    test("a signed-out visit goes through GitHub sign-in and lands on the page, which shows the user and the required group", async () => {
      const context = await browser.newContext();
      try {
        const { page, answers } = await visitAndSignIn(context, "octocat");
        expect(answers.map((answer) => [answer.status(), new URL(answer.url()).pathname])).toEqual([
          [302, "/"],
          [302, "/redirect_uri"],
          [200, "/"],
        ]);
        expect(await page.locator("#user").textContent()).toBe("octocat");
        expect(await page.locator("#groups").textContent()).toBe("acme");
        expect(await page.locator("#sub").textContent()).toBe(OCTOCAT_ID);
        // OIDCRemoteUserClaim preferred_username.
        expect(await page.locator("#remote-user").textContent()).toBe("octocat");
        // Apache redeemed one code at this server's token endpoint, and was given tokens.
        expect(stack.tokenCalls).toEqual([{ grantType: "authorization_code", status: 200 }]);

        // Signed in at this server already: a new Apache session needs no second visit to GitHub.
        await context.clearCookies({ domain: "localhost" });
        const again = await context.newPage();
        await again.goto(`${application}/`);
        await again.waitForURL((url) => url.origin === application && url.pathname === "/");
        expect(await again.locator("#user").textContent()).toBe("octocat");
        expect(stack.tokenCalls.map((call) => call.grantType)).toEqual(["authorization_code", "authorization_code"]);
      } finally {
        await context.close();
      }
    }, 30_000);

    test("someone outside acme signs in with GitHub but gets Apache's refusal, not the page", async () => {
      const context = await browser.newContext();
      try {
        const callsBefore = stack.tokenCalls.length;
        const { page, answers } = await visitAndSignIn(context, "monalisa");
        // Back at Apache with a code: redeemed, then the page itself refused (mod_auth_openidc answers 401).
        expect(answers.map((answer) => [answer.status(), new URL(answer.url()).pathname])).toEqual([
          [302, "/"],
          [302, "/redirect_uri"],
          [401, "/"],
        ]);
        expect(stack.tokenCalls.slice(callsBefore)).toEqual([{ grantType: "authorization_code", status: 200 }]);
        expect(await page.locator("#user").count()).toBe(0);
        // The refusal is Apache's own, by the documented `Require claim groups:acme`.
        expect(apache.errorLog()).toContain("could not match require claim expression 'groups:acme'");
        expect(apache.errorLog()).toContain('user monalisa: authorization failure for "/"');
      } finally {
        await context.close();
      }
    }, 30_000);
  });
});
