// Forward authentication through a real Caddy, with the configuration docs/protect-an-app.md shows, word for
// word except for addresses: signed-out requests are sent to sign-in for the exact page and never
// reach the application; signed-in ones reach it with the check's user headers (empty, never
// Caddy's placeholder text, when the email is unknown), which a client cannot forge; the check's
// renewed session cookie reaches the browser; the documented /admin rule holds.
import { findCaddy, startCaddy, type RunningCaddy } from "../support/caddy.js";
import { documentedBlocks, PROXY_DOCUMENTATION, withProxy } from "../support/proxy-process.js";
import { CookieClient } from "../support/process.js";
import { describeHostileForwardedHeaders } from "./hostile-forwarded-headers.js";
import { describeManyHostsBehind, type ManyHostsProxy } from "./many-hosts-walk.js";
import {
  redirectTarget,
  signInThroughProxy,
  expectRenewedCookieHandedOn,
  expectSignOutThroughProxy,
  startForwardAuthStack,
  type ForwardAuthStack,
} from "./forward-auth-stack.js";

const caddy = findCaddy();
const CATCH_ALL = "\thandle {\n";

/**
 * The documented ```caddyfile blocks as one configuration: the site, with the per-route rule's
 * `handle /admin*` (the second block) before its catch-all `handle`.
 */
function documentedCaddyConfiguration(): string {
  const [site, perRoute] = documentedBlocks("caddyfile");
  if (!site || !perRoute) throw new Error(`${PROXY_DOCUMENTATION} has not the two \`\`\`caddyfile blocks (the site, the per-route rule)`);
  if (site.split(CATCH_ALL).length !== 2)
    throw new Error(`the Caddy site of ${PROXY_DOCUMENTATION} has not exactly one catch-all \`handle {\``);
  return site.replace(CATCH_ALL, `${perRoute}${CATCH_ALL}`);
}

withProxy("Caddy", caddy, "apt-get install caddy", (caddy) => {
  describe("Caddy in front of an application, as the documentation configures it", () => {
    let stack: ForwardAuthStack;
    let proxy: RunningCaddy;
    let base: string;
    const received = () => stack.received;
    const lastHeaders = () => stack.received.at(-1)!.headers;

    beforeAll(async () => {
      stack = await startForwardAuthStack("caddy");
      base = stack.base;
      const configuration = documentedCaddyConfiguration()
        .replace("app.example.com {", `http://127.0.0.1:${stack.proxyPort} {`)
        .replaceAll("login-server:3000", `127.0.0.1:${stack.loginPort}`)
        .replaceAll("app:8080", `127.0.0.1:${stack.applicationPort}`);
      proxy = await startCaddy(caddy, configuration, stack.proxyPort);
      // The documented /admin is for the team acme/ops.
      stack.emulator.emulator.setTeamMembership("octocat", "acme/ops", "active");
    }, 30_000);

    afterAll(async () => {
      await proxy?.stop();
      await stack?.close();
    });

    test("signed out: sent to sign-in for the exact page, whatever X-Forwarded-Uri the client sent; the application is not reached", async () => {
      stack.received.length = 0;
      for (const forged of [undefined, "//evil.example/", "/somewhere/else"]) {
        const answer = await new CookieClient().fetch(`${base}/report?a=1&b=2`, forged ? { headers: { "X-Forwarded-Uri": forged } } : {});
        expect(answer.status).toBe(302);
        expect(redirectTarget(answer, base)).toBe("/auth/github?returnTo=/report%3Fa%3D1%26b%3D2");
      }
      expect(received()).toEqual([]);
    });

    test("sign-in through Caddy lands back on exactly /report?a=1&b=2, which then reaches the application with the user", async () => {
      const browser = new CookieClient();
      const { signInPath, landing } = await signInThroughProxy(browser, base, "/report?a=1&b=2");
      expect(signInPath).toBe("/auth/github?returnTo=/report%3Fa%3D1%26b%3D2");
      expect(landing).toBe("/report?a=1&b=2");
      stack.received.length = 0;
      const page = await browser.fetch(`${base}${landing}`);
      expect(page.status).toBe(200);
      expect(await page.json()).toEqual({ application: true, user: "octocat" });
      expect(received().map((request) => request.path)).toEqual(["/report?a=1&b=2"]);
      expect(lastHeaders()["x-auth-request-user"]).toBe("octocat");
      expect(lastHeaders()["x-auth-request-user-id"]).toBe("583231");
      expect(lastHeaders()["x-auth-request-email"]).toBe("octocat@github.com");
      expect(lastHeaders()["x-auth-request-groups"]).toBe(""); // no group named anywhere: sent empty
    });

    test("user headers sent by the client are never believed", async () => {
      stack.received.length = 0;
      const forged = {
        "X-Auth-Request-User": "admin",
        "X-Auth-Request-User-Id": "1",
        "X-Auth-Request-Email": "admin@example.com",
        "X-Auth-Request-Groups": "acme/ops",
      };
      const signedOut = await new CookieClient().fetch(`${base}/reports`, { headers: forged });
      expect(signedOut.status).toBe(302);
      expect(received()).toEqual([]);

      const browser = new CookieClient();
      await signInThroughProxy(browser, base, "/reports");
      const signedIn = await browser.fetch(`${base}/reports`, { headers: forged });
      expect(await signedIn.json()).toEqual({ application: true, user: "octocat" });
      expect(lastHeaders()["x-auth-request-user-id"]).toBe("583231");
      expect(lastHeaders()["x-auth-request-email"]).toBe("octocat@github.com");
      expect(lastHeaders()["x-auth-request-groups"]).toBe("");
    });

    test("a user whose email is unknown gets an empty X-Auth-Request-Email: not Caddy's placeholder text, not the client's", async () => {
      // A GitHub App without the email permission cannot read monalisa's private email.
      stack.emulator.emulator.injectFault({ pathPrefix: "/api/v3/user/emails", status: 404, body: { message: "Not Found" } });
      const browser = new CookieClient();
      await signInThroughProxy(browser, base, "/", "monalisa");
      stack.received.length = 0;
      const page = await browser.fetch(`${base}/reports`, {
        headers: { "X-Auth-Request-Email": "admin@example.com", "X-Auth-Request-Groups": "acme/ops" },
      });
      expect(await page.json()).toEqual({ application: true, user: "monalisa" });
      expect(lastHeaders()["x-auth-request-email"]).toBe("");
      expect(lastHeaders()["x-auth-request-groups"]).toBe("");
      expect(Object.values(lastHeaders()).join("\n")).not.toContain("{http.");
    });

    test("the documented /admin rule: the application is reached for acme/ops with its groups; others get the check's 403 there only", async () => {
      const member = new CookieClient();
      await signInThroughProxy(member, base, "/");
      stack.received.length = 0;
      const admin = await member.fetch(`${base}/admin/users?a=1&b=2`, { headers: { "X-Auth-Request-Groups": "acme/owners" } });
      expect(admin.status).toBe(200);
      expect(received().map((request) => request.path)).toEqual(["/admin/users?a=1&b=2"]);
      expect(lastHeaders()["x-auth-request-groups"]).toBe("acme/ops"); // the check's, never the client's

      const other = new CookieClient();
      await signInThroughProxy(other, base, "/", "monalisa");
      stack.received.length = 0;
      const refused = await other.fetch(`${base}/admin/users`, { headers: { Accept: "text/html" } });
      expect(refused.status).toBe(403);
      expect(await refused.text()).toContain("Not allowed"); // the check's own page, passed on as it is
      expect(received()).toEqual([]);
      expect((await other.fetch(`${base}/reports`, { headers: { "X-Auth-Request-Groups": "acme/ops" } })).status).toBe(200);
      expect(lastHeaders()["x-auth-request-groups"]).toBe("");

      const signedOut = await new CookieClient().fetch(`${base}/admin/users?a=1&b=2`);
      expect(signedOut.status).toBe(302);
      expect(redirectTarget(signedOut, base)).toBe("/auth/github?returnTo=/admin/users%3Fa%3D1%26b%3D2");
    });

    test("after sign-out through Caddy, requests are sent to sign-in again", () => expectSignOutThroughProxy(base));

    test("the check's renewed session cookie is handed to the browser", () => expectRenewedCookieHandedOn(stack));
  });

  const manyHosts: ManyHostsProxy = {
    name: "caddy",
    language: "caddyfile",
    configure: ({ app, login }, stack, appHosts) =>
      [...appHosts.map((host) => app.replace("app.example.com {", `http://${host}:${stack.proxyPort} {`)), login]
        .join("\n")
        .replace("login.example.com {", `http://127.0.0.1:${stack.proxyPort} {`)
        .replaceAll("login-server:3000", `127.0.0.1:${stack.loginPort}`)
        .replaceAll("app:8080", `127.0.0.1:${stack.applicationPort}`),
    start: (configuration, port) => startCaddy(caddy, configuration, port),
  };
  describeManyHostsBehind(manyHosts);
  describeHostileForwardedHeaders(manyHosts);
});
