// A browser signed out when an application asks for an authorization signs in with GitHub first;
// when the server's lists refuse that user (SPEC §9 "Signing in", §7), the refusal page says why
// and leads back to the application, which then hears access_denied with the reason. Only the
// browser whose sign-in was refused, for that very authorization, can end it so, and only with a
// refusal the server noted: not another browser, not a note made for another browser or another
// authorization, not an altered or stale note.
import { ManualClock } from "../../src/clock.js";
import {
  newBrowser,
  redirectOf,
  relyingParty,
  startAuthorization,
  startOidcStack,
  walk,
  type Browser,
  type TestStack,
} from "../support/oidc-stack.js";

let stack: TestStack;
let clock: ManualClock;
beforeEach(async () => {
  clock = new ManualClock(Date.now());
  stack = await startOidcStack({ clock, env: { ALLOWED_USERS: "octocat" } });
});
afterEach(() => stack.close());

const decoded = (href: string) =>
  href
    .replace(/&amp;/g, "&")
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"');

/** The links of a page, by their text. */
function linksOf(page: string): Map<string, string> {
  const links = new Map<string, string>();
  for (const [, href, label] of page.matchAll(/<a [^>]*href="([^"]*)"[^>]*>([^<]*)<\/a>/g)) links.set(label!.trim(), decoded(href!));
  return links;
}

/** A signed-out browser starts an authorization and signs in as `login`, whom the lists refuse: the refusal page. */
async function refusedFirstSignIn(browser: Browser, login = "monalisa") {
  const started = await startAuthorization(await relyingParty(stack.app, "cli"));
  const page = await walk(browser, started.url.toString(), login);
  const back = linksOf(page.text).get("Back to the application");
  return { started, page, back: back! };
}

const uidOf = (href: string) => /^\/oidc\/interaction\/([^/?]+)\?/.exec(href)![1]!;

test("a signed-out browser whose GitHub user the lists refuse sees why, and its way back ends the authorization with access_denied and the reason", async () => {
  const browser = newBrowser(stack.app);
  const { started, page, back } = await refusedFirstSignIn(browser);
  expect(page.status).toBe(403);
  expect(page.text).toContain("ALLOWED_USERS");
  expect(back).toMatch(/^\/oidc\/interaction\/[^/?]+\?refused=/);

  const answer = redirectOf(await walk(browser, back));
  expect(`${answer.origin}${answer.pathname}`).toBe(started.url.searchParams.get("redirect_uri"));
  expect(answer.searchParams.get("error")).toBe("access_denied");
  expect(answer.searchParams.get("error_description")).toContain("ALLOWED_USERS");
  expect(answer.searchParams.get("state")).toBe(started.state);
  const metrics = await newBrowser(stack.app).get("/metrics");
  expect(metrics.text).toMatch(/gls_oidc_grants_total\{outcome="refused"\} 1/);
  // Done once: the interaction is over.
  expect((await browser.get(back)).status).toBe(400);
});

test("the page's other account comes back to the same authorization, which then goes on to the application", async () => {
  const browser = newBrowser(stack.app);
  const { started, page } = await refusedFirstSignIn(browser);
  const another = linksOf(page.text).get("Sign in with another GitHub account")!;
  expect(new URL(another, "http://x").searchParams.get("returnTo")).toMatch(/^\/oidc\/interaction\/[^/?]+\?signed_in=1$/);
  const answer = redirectOf(await walk(browser, another, "octocat"));
  expect(answer.searchParams.get("code")).toBeTruthy();
  expect(answer.searchParams.get("state")).toBe(started.state);
});

test("another browser cannot finish that authorization with the link, and the refused browser still can", async () => {
  const browser = newBrowser(stack.app);
  const { back } = await refusedFirstSignIn(browser);
  const stranger = newBrowser(stack.app);
  await stranger.get("/auth/github"); // a browser binding of its own
  const tried = await stranger.get(back);
  expect(tried.status).toBe(400);
  expect(tried.headers.location).toBeUndefined();
  expect(redirectOf(await walk(browser, back)).searchParams.get("error")).toBe("access_denied");
});

test("a refusal noted for another browser's sign-in ends nothing, even with this browser's interaction", async () => {
  const victim = newBrowser(stack.app);
  const { back } = await refusedFirstSignIn(victim);
  const uid = uidOf(back);
  // Someone else, refused in their own browser, on a sign-in whose returnTo names the victim's interaction.
  const other = newBrowser(stack.app);
  const page = await walk(other, `/auth/github?returnTo=${encodeURIComponent(`/oidc/interaction/${uid}`)}`, "monalisa");
  const planted = linksOf(page.text).get("Back to the application")!;
  expect(uidOf(planted)).toBe(uid);
  expect((await victim.get(planted)).status).toBe(400);
  expect(redirectOf(await walk(victim, back)).searchParams.get("error")).toBe("access_denied");
});

test("a note made for another authorization of the same browser, an altered one, or a stale one ends nothing", async () => {
  const browser = newBrowser(stack.app);
  const first = await refusedFirstSignIn(browser);
  const second = await refusedFirstSignIn(browser);
  const note = (href: string) => new URL(href, "http://x").searchParams.get("refused")!;
  const secondPath = second.back.slice(0, second.back.indexOf("?"));
  expect((await browser.get(`${secondPath}?refused=${note(first.back)}`)).status).toBe(400);
  const altered = note(second.back).slice(0, -2) + (note(second.back).endsWith("AA") ? "BB" : "AA");
  expect((await browser.get(`${secondPath}?refused=${altered}`)).status).toBe(400);
  expect((await browser.get(`${secondPath}?refused=`)).status).toBe(400);
  clock.advance(10 * 60 * 1000 + 1);
  expect((await browser.get(second.back)).status).toBe(400);
});
