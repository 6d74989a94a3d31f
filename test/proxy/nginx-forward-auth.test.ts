// Forward authentication through a real nginx (auth_request), with the configuration
// docs/protect-an-app.md shows, word for word except for addresses: signed-out requests are sent to sign-in and never
// reach the application; signed-in ones reach it with the user's headers, which a client cannot forge.
import { findNginx, startNginx, type RunningNginx } from "../support/nginx.js";
import { documentedBlocks, PROXY_DOCUMENTATION, withProxy } from "../support/proxy-process.js";
import { CookieClient } from "../support/process.js";
import { describeHostileForwardedHeaders } from "./hostile-forwarded-headers.js";
import { describeManyHostsBehind, type ManyHostsProxy } from "./many-hosts-walk.js";
import {
  redirectTarget,
  signInThroughProxy as walkThroughProxy,
  expectRenewedCookieHandedOn,
  expectSignOutThroughProxy,
  startForwardAuthStack,
  type ForwardAuthStack,
} from "./forward-auth-stack.js";

const nginx = findNginx();

/**
 * The documented ```nginx blocks as one configuration: the server block, with the per-route rule's
 * locations (the second block, "add to the server block above") added to it.
 */
function documentedNginxConfiguration(): string {
  const [server, perRoute] = documentedBlocks("nginx");
  if (!server || !perRoute) throw new Error(`${PROXY_DOCUMENTATION} has not the two \`\`\`nginx blocks (the server, the per-route rule)`);
  if (!server.includes("    location @sign_in {"))
    throw new Error(`the nginx server block of ${PROXY_DOCUMENTATION} has no @sign_in location`);
  return server.replace("    location @sign_in {", `${perRoute}\n    location @sign_in {`);
}

withProxy("nginx", nginx, "apt-get install nginx-light", (nginx) => {
  describe("nginx auth_request in front of an application", () => {
    let proxy: RunningNginx;
    let stack: ForwardAuthStack;
    let base: string;
    /** What the application received: path and the forwarded user headers. */
    let received: ForwardAuthStack["received"];

    beforeAll(async () => {
      stack = await startForwardAuthStack("nginx");
      ({ base, received } = stack);
      const configuration = documentedNginxConfiguration()
        .replace("server 127.0.0.1:3000;", `server 127.0.0.1:${stack.loginPort};`)
        .replace("server 127.0.0.1:8080;", `server 127.0.0.1:${stack.applicationPort};`)
        .replace(/listen 80;/, `listen 127.0.0.1:${stack.proxyPort};`)
        .replace("server_name app.example.com;", "server_name 127.0.0.1;");
      proxy = await startNginx(nginx, configuration, stack.proxyPort);
      // The documented /admin is for the team acme/ops.
      stack.emulator.emulator.setTeamMembership("octocat", "acme/ops", "active");
    }, 30_000);

    afterAll(async () => {
      await proxy?.stop();
      await stack?.close();
    });

    const signInThroughProxy = (browser: CookieClient, page: string, login = "octocat") => walkThroughProxy(browser, base, page, login);

    test("signed out: sent to sign-in with the page to come back to; the application is not reached", async () => {
      received.length = 0;
      const answer = await new CookieClient().fetch(`${base}/reports/2026?view=full`);
      expect(answer.status).toBe(302);
      expect(redirectTarget(answer, base)).toBe("/auth/github?returnTo=/reports/2026%3Fview%3Dfull");
      expect(received).toEqual([]);
    });

    test("a page with several query parameters comes back whole after sign-in", async () => {
      const browser = new CookieClient();
      const { signInPath, landing } = await signInThroughProxy(browser, "/report?a=1&b=2");
      expect(signInPath).toBe("/auth/github?returnTo=/report%3Fa%3D1%26b%3D2");
      expect(landing).toBe("/report?a=1&b=2");
      received.length = 0;
      expect((await browser.fetch(`${base}${landing}`)).status).toBe(200);
      expect(received.map((request) => request.path)).toEqual(["/report?a=1&b=2"]);
    });

    test("an X-Forwarded-Uri sent by the client does not choose where the sign-in returns", async () => {
      for (const forged of ["//evil.example/", "https://evil.example/", "/somewhere/else"]) {
        const answer = await new CookieClient().fetch(`${base}/report?a=1&b=2`, { headers: { "X-Forwarded-Uri": forged } });
        expect(answer.status).toBe(302);
        expect(redirectTarget(answer, base)).toBe("/auth/github?returnTo=/report%3Fa%3D1%26b%3D2");
      }
    });

    test("sign-in through the proxy lands back on the page, which then reaches the application with the user", async () => {
      const browser = new CookieClient();
      const { landing } = await signInThroughProxy(browser, "/reports/2026?view=full");
      expect(landing).toBe("/reports/2026?view=full");
      received.length = 0;
      const page = await browser.fetch(`${base}${landing}`);
      expect(page.status).toBe(200);
      expect(await page.json()).toEqual({ application: true, user: "octocat" });
      expect(received).toHaveLength(1);
      expect(received[0]!.path).toBe("/reports/2026?view=full");
      expect(received[0]!.headers["x-auth-request-user"]).toBe("octocat");
      expect(received[0]!.headers["x-auth-request-user-id"]).toBe("583231");
      expect(received[0]!.headers["x-auth-request-email"]).toBe("octocat@github.com");
    });

    test("user headers sent by the client are never believed", async () => {
      received.length = 0;
      const forged = { "X-Auth-Request-User": "admin", "X-Auth-Request-User-Id": "1" };
      const signedOut = await new CookieClient().fetch(`${base}/admin`, { headers: forged });
      expect(signedOut.status).toBe(302);
      expect(received).toEqual([]);

      const browser = new CookieClient();
      await signInThroughProxy(browser, "/admin");
      const signedIn = await browser.fetch(`${base}/admin`, { headers: forged });
      expect(await signedIn.json()).toEqual({ application: true, user: "octocat" });
      expect(received.at(-1)!.headers["x-auth-request-user-id"]).toBe("583231");
    });

    test("a user whose email is unknown reaches the application with no X-Auth-Request-Email, whatever the client sent", async () => {
      // A GitHub App without the email permission cannot read monalisa's private email: the check sends it empty.
      stack.emulator.emulator.injectFault({ pathPrefix: "/api/v3/user/emails", status: 404, body: { message: "Not Found" } });
      const browser = new CookieClient();
      await signInThroughProxy(browser, "/", "monalisa");
      received.length = 0;
      const page = await browser.fetch(`${base}/reports`, {
        headers: { "X-Auth-Request-Email": "admin@example.com", "X-Auth-Request-Groups": "acme/ops" },
      });
      expect(await page.json()).toEqual({ application: true, user: "monalisa" });
      expect(received.at(-1)!.headers["x-auth-request-email"]).toBeUndefined(); // nginx sends no header for an empty value
      expect(received.at(-1)!.headers["x-auth-request-groups"]).toBeUndefined();
    });

    test("the documented per-location rule: /admin reaches the application for acme/ops with its groups; others get 403 there only", async () => {
      const member = new CookieClient();
      await signInThroughProxy(member, "/");
      received.length = 0;
      const admin = await member.fetch(`${base}/admin/users`, { headers: { "X-Auth-Request-Groups": "acme/owners" } });
      expect(admin.status).toBe(200);
      expect(received.at(-1)!.headers["x-auth-request-groups"]).toBe("acme/ops"); // the check's, never the client's

      const other = new CookieClient();
      await signInThroughProxy(other, "/", "monalisa");
      received.length = 0;
      const refused = await other.fetch(`${base}/admin/users`, { headers: { Accept: "text/html" } });
      expect(refused.status).toBe(403);
      // The login server's page, saying why and offering another account, not nginx's bare 403.
      const page = await refused.text();
      expect(page).toContain("not an active member of acme/ops");
      expect(page).toContain('href="/auth/github?prompt=select_account"');
      expect(received).toEqual([]);
      expect((await other.fetch(`${base}/reports`, { headers: { "X-Auth-Request-Groups": "acme/ops" } })).status).toBe(200);
      expect(received.at(-1)!.headers["x-auth-request-groups"]).toBeUndefined();
    });

    test("after sign-out through the proxy, requests are sent to sign-in again", () => expectSignOutThroughProxy(base));

    test("the check's renewed session cookie is handed to the browser", () => expectRenewedCookieHandedOn(stack));
  });

  const manyHosts: ManyHostsProxy = {
    name: "nginx",
    language: "nginx",
    configure: ({ app, login }, stack, appHosts) => {
      // The upstreams once, then the application's server block once per host, then the login host's.
      const upstreams = app.match(/^upstream .*$/gm)?.join("\n") ?? "";
      const server = app.replace(/^upstream .*\n/gm, "");
      return [upstreams, ...appHosts.map((host) => server.replace("server_name app.example.com;", `server_name ${host};`)), login]
        .join("\n")
        .replace("server 127.0.0.1:3000;", `server 127.0.0.1:${stack.loginPort};`)
        .replace("server 127.0.0.1:8080;", `server 127.0.0.1:${stack.applicationPort};`)
        .replaceAll("listen 80;", `listen ${stack.proxyPort};`)
        .replace("server_name login.example.com;", "server_name 127.0.0.1;");
    },
    start: (configuration, port) => startNginx(nginx, configuration, port),
  };
  describeManyHostsBehind(manyHosts);
  describeHostileForwardedHeaders(manyHosts);
});
