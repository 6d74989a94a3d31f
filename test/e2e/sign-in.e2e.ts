// End to end in a real browser: the built server (dist/server.js) in demo mode, driven with Debian's
// Chromium through playwright-core. Run with `npm run test:e2e`; `npm test` does not pick this file
// up (jest's testMatch there is *.test.ts). Never downloads a browser: it uses /usr/bin/chromium, or
// the path in CHROMIUM_PATH.
//
// Every page must load without a console error, an uncaught page error or a Content-Security-Policy
// violation; full-page screenshots land in test/e2e/screenshots/.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, ConsoleMessage, Page } from "playwright-core";
import { CHROMIUM, launchChromium } from "../support/chromium.js";
import { buildServer, PROJECT_ROOT, runServer, waitForHealthy, type ServerProcess } from "../support/process.js";
import { freePort } from "../support/redis-server.js";

const SCREENSHOTS = join(PROJECT_ROOT, "test/e2e/screenshots");
const EXPECTATION_TIMEOUT_MS = 5_000;
const SCENARIO_TIMEOUT_MS = 30_000;

/** What went wrong in the browser while a scenario ran; every list must be empty at its end. */
interface BrowserProblems {
  consoleErrors: string[];
  pageErrors: string[];
  cspViolations: string[];
}

interface CspViolationReport {
  directive: string;
  blockedURI: string;
  documentURI: string;
  sourceFile: string;
  lineNumber: number;
}

/**
 * The little of the browser's globals that code run in the page uses here (the project's type-check
 * has no DOM library, on purpose: everything else runs in Node).
 */
interface PageGlobals {
  document: {
    activeElement: { hasAttribute(name: string): boolean } | null;
    querySelector(selector: string): { complete?: boolean; naturalWidth?: number } | null;
  };
  addEventListener(
    type: "securitypolicyviolation",
    listener: (event: {
      violatedDirective: string;
      blockedURI: string;
      documentURI: string;
      sourceFile: string;
      lineNumber: number;
    }) => void,
  ): void;
  __reportCspViolation(report: CspViolationReport): Promise<void>;
}

let server: ServerProcess;
let base: string;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH).`);
  mkdirSync(SCREENSHOTS, { recursive: true });
  try {
    buildServer();
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`building the server (tsc -p tsconfig.json) failed:\n${stdout?.toString() ?? ""}${stderr?.toString() ?? ""}`, {
      cause: error,
    });
  }
  const port = await freePort();
  // Demo mode: no GitHub variables at all, sessions in memory, the emulator at /_emulator.
  server = runServer({ PORT: String(port) });
  base = `http://localhost:${port}`;
  await waitForHealthy(base, server);
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** A fresh context (new cookie jar) with a page that records console errors, page errors and CSP violations. */
async function openPage(): Promise<{ context: BrowserContext; page: Page; problems: BrowserProblems }> {
  const context = await browser.newContext({ viewport: { width: 1024, height: 768 } });
  const problems: BrowserProblems = { consoleErrors: [], pageErrors: [], cspViolations: [] };
  // Reported straight to this process, so a violation is not lost when the page navigates away.
  await context.exposeBinding("__reportCspViolation", (_source, report: CspViolationReport) => {
    problems.cspViolations.push(
      `${report.directive} blocked ${report.blockedURI || "(inline)"} on ${report.documentURI} (${report.sourceFile}:${report.lineNumber})`,
    );
  });
  await context.addInitScript(() => {
    const page = globalThis as unknown as PageGlobals;
    page.addEventListener("securitypolicyviolation", (violation) => {
      void page.__reportCspViolation({
        directive: violation.violatedDirective,
        blockedURI: violation.blockedURI,
        documentURI: violation.documentURI,
        sourceFile: violation.sourceFile,
        lineNumber: violation.lineNumber,
      });
    });
  });
  const page = await context.newPage();
  page.setDefaultTimeout(EXPECTATION_TIMEOUT_MS);
  page.on("console", (message: ConsoleMessage) => {
    const source = message.location().url;
    const text = `${message.text()}${source ? ` (${source})` : ""} on ${page.url()}`;
    if (/content.security.policy/i.test(message.text())) problems.cspViolations.push(text);
    if (message.type() === "error") problems.consoleErrors.push(text);
  });
  page.on("pageerror", (error) => problems.pageErrors.push(`${error.name}: ${error.message}`));
  return { context, page, problems };
}

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** The signed-out home page: the *Sign in with GitHub* link is there and points at /auth/github. */
async function expectSignedOutHome(page: Page): Promise<void> {
  expect(new URL(page.url()).pathname).toBe("/");
  const signIn = page.getByRole("link", { name: "Sign in with GitHub" });
  await signIn.waitFor({ state: "visible" });
  expect(await signIn.getAttribute("href")).toBe("/auth/github");
  expect(await page.getByRole("button", { name: "Sign out" }).count()).toBe(0);
}

/** Waits for the consent page of the built-in emulator. */
async function expectConsentPage(page: Page): Promise<void> {
  await page.waitForURL((url) => url.pathname === "/_emulator/login/oauth/authorize");
  await page.getByRole("heading", { name: /^Authorize / }).waitFor({ state: "visible" });
}

/** Waits for (and returns the status of) the next answer to /auth/github/callback. */
function nextCallbackStatus(page: Page): Promise<number> {
  return page
    .waitForResponse((response) => new URL(response.url()).pathname === "/auth/github/callback", { timeout: EXPECTATION_TIMEOUT_MS })
    .then((response) => response.status());
}

async function expectNoProblems(problems: BrowserProblems, allowedConsoleErrors: RegExp[] = []): Promise<void> {
  expect(problems.pageErrors).toEqual([]);
  expect(problems.cspViolations).toEqual([]);
  expect(problems.consoleErrors.filter((text) => !allowedConsoleErrors.some((allowed) => allowed.test(text)))).toEqual([]);
}

test(
  "sign in as octocat through the emulator, see the profile, reload, sign out",
  async () => {
    const { context, page, problems } = await openPage();
    try {
      await page.goto(`${base}/`);
      await expectSignedOutHome(page);
      await expect(page.locator("[data-demo-banner]").isVisible()).resolves.toBe(true);
      await screenshot(page, "home");

      await page.getByRole("link", { name: "Sign in with GitHub" }).click();
      await expectConsentPage(page);
      await page.locator('input[name="login"][value="octocat"]').check();
      await screenshot(page, "consent");

      const callbackStatus = nextCallbackStatus(page);
      await page.getByRole("button", { name: "Authorize" }).click();
      expect(await callbackStatus).toBe(303);
      await page.waitForURL(`${base}/`);
      const expectProfile = async () => {
        await expect(page.locator("#profile-name").textContent()).resolves.toBe("The Octocat");
        await expect(page.getByText("@octocat", { exact: false }).first().isVisible()).resolves.toBe(true);
        const avatar = page.locator("img.avatar");
        await avatar.waitFor({ state: "visible" });
        // The avatar really loaded (an <img> that failed has naturalWidth 0).
        await page.waitForFunction(
          () => {
            const image = (globalThis as unknown as PageGlobals).document.querySelector("img.avatar");
            return image !== null && image.complete === true && (image.naturalWidth ?? 0) > 0;
          },
          undefined,
          { timeout: EXPECTATION_TIMEOUT_MS },
        );
      };
      await expectProfile();
      await screenshot(page, "profile");

      await page.reload();
      await expectProfile();

      const logout = page.waitForResponse((response) => new URL(response.url()).pathname === "/auth/logout");
      await page.getByRole("button", { name: "Sign out" }).click();
      const logoutResponse = await logout;
      if (logoutResponse.status() !== 303) {
        const sent = await logoutResponse.request().allHeaders();
        throw new Error(
          `POST /auth/logout from the Sign out button answered ${logoutResponse.status()}, not 303 ` +
            `(the browser sent Origin: ${sent["origin"] ?? "(none)"}, Sec-Fetch-Site: ${sent["sec-fetch-site"] ?? "(none)"})`,
        );
      }
      await page.waitForURL(`${base}/?signed_out=1`);
      await expectSignedOutHome(page);
      await page.getByRole("heading", { name: "You are signed out" }).waitFor({ state: "visible" });
      const me = await page.request.get(`${base}/api/me`);
      expect(me.status()).toBe(401);

      await expectNoProblems(problems);
    } finally {
      await context.close();
    }
  },
  SCENARIO_TIMEOUT_MS,
);

test(
  "cancel on the consent page: the sign-in cancelled page (401); the sign-in link is reached by keyboard",
  async () => {
    const { context, page, problems } = await openPage();
    try {
      await page.goto(`${base}/`);
      await expectSignedOutHome(page);

      // Accessibility smoke check: Tab (a bounded number of times) until the sign-in link has the focus, then Enter.
      let focused: string | null = null;
      for (let presses = 0; presses < 10 && focused !== "sign-in"; presses++) {
        await page.keyboard.press("Tab");
        focused = await page.evaluate(() => {
          const active = (globalThis as unknown as PageGlobals).document.activeElement;
          return active?.hasAttribute("data-sign-in") ? "sign-in" : null;
        });
      }
      expect(focused).toBe("sign-in");
      await page.keyboard.press("Enter");
      await expectConsentPage(page);

      const callbackStatus = nextCallbackStatus(page);
      await page.getByRole("button", { name: "Cancel" }).click();
      expect(await callbackStatus).toBe(401);
      await page.getByRole("heading", { name: "Sign-in cancelled" }).waitFor({ state: "visible" });
      await screenshot(page, "error");
      // The page offers a way to try again.
      await expect(page.getByRole("main").getByRole("link", { name: "Sign in with GitHub" }).getAttribute("href")).resolves.toBe(
        "/auth/github",
      );

      // Chromium reports the 401 document itself as "Failed to load resource"; that one is expected.
      await expectNoProblems(problems, [/Failed to load resource: the server responded with a status of 401.*\/auth\/github\/callback/]);
    } finally {
      await context.close();
    }
  },
  SCENARIO_TIMEOUT_MS,
);

test(
  "cookie bombing: crafted sign-in links, one after another and at once, leave the host's cookies small",
  async () => {
    const { context, page } = await openPage();
    try {
      // The longest returnTo the server keeps, of the character that grows most when encoded.
      const crafted = `${base}/auth/github?returnTo=${encodeURIComponent(`/${'"'.repeat(682)}`)}`;
      for (let visit = 0; visit < 6; visit += 1) await page.goto(crafted);
      await Promise.all(Array.from({ length: 6 }, async () => (await context.newPage()).goto(crafted)));
      const cookies = await context.cookies(base);
      const cookieHeaderBytes = cookies.map((cookie) => `${cookie.name}=${cookie.value}`).join("; ").length;
      expect(cookieHeaderBytes).toBeLessThan(4096);
      // The host still answers this browser.
      const home = await page.goto(base);
      expect(home?.status()).toBe(200);
    } finally {
      await context.close();
    }
  },
  SCENARIO_TIMEOUT_MS,
);

test(
  "/sessions from the profile: two browsers, the other one signed out from here, then this one",
  async () => {
    const signInAs = async (page: Page) => {
      await page.goto(`${base}/auth/github`);
      await expectConsentPage(page);
      await page.locator('input[name="login"][value="octocat"]').check();
      await page.getByRole("button", { name: "Authorize" }).click();
      await page.waitForURL(`${base}/`);
    };
    const laptop = await openPage();
    const phone = await openPage();
    try {
      await signInAs(phone.page);
      await signInAs(laptop.page);
      await laptop.page.getByRole("link", { name: "Your sessions" }).click();
      await laptop.page.waitForURL(`${base}/sessions`);
      await expect(laptop.page.locator("li.session").count()).resolves.toBeGreaterThanOrEqual(2);
      await expect(laptop.page.locator("li.session--current").count()).resolves.toBe(1);
      await screenshot(laptop.page, "sessions");

      await laptop.page.getByRole("button", { name: "Sign out all other sessions" }).click();
      await laptop.page.waitForURL(`${base}/sessions`);
      await expect(laptop.page.locator("li.session").count()).resolves.toBe(1);
      await phone.page.reload();
      await expectSignedOutHome(phone.page); // the phone is refused from its next request

      await laptop.page.locator("li.session--current").getByRole("button", { name: "Sign out" }).click();
      await laptop.page.waitForURL(`${base}/?signed_out=1`);
      await expectSignedOutHome(laptop.page);
      await expectNoProblems(laptop.problems);
      await expectNoProblems(phone.problems);
    } finally {
      await laptop.context.close();
      await phone.context.close();
    }
  },
  SCENARIO_TIMEOUT_MS,
);
