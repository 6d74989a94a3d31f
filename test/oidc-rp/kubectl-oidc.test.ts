// kubectl's own OIDC authentication (client-go's `oidc` auth-provider), with the kubeconfig and the
// kube-apiserver flags of docs/oidc-provider.md: a kubeconfig whose ID token has expired must
// refresh at this server's token endpoint before kubectl can reach the cluster, and kubectl writes
// the new tokens back into the file. The cluster is a stand-in API server that believes only ID
// tokens that verify against this issuer's JWKS with the documented flags (test/support/
// kubectl-api-server.ts). The first tokens come from a code flow with openid-client, as a person's
// first sign-in would give them. Then the user leaves the organisation the client requires: the
// next refresh is refused with invalid_grant, and kubectl fails.
//
// The expired ID token is the sign-in's own with its `exp` moved into the past: kubectl reads
// `exp` without verifying (it only decides whether to refresh), while the API server would refuse
// it twice over (expired, and its signature no longer matches), so nothing but a refresh can pass.
import { randomBytes } from "node:crypto";
import type { Clock } from "../../src/clock.js";
import { startStandInApiServer, oidcFlagsIn, type ApiServerOidcFlags, type StandInApiServer } from "../support/kubectl-api-server.js";
import { kubectlHome, withKubectl, type KubectlHome } from "../support/kubectl-process.js";
import { codeFlow, discover } from "./code-flow.js";
import {
  documentedApiServerFlags,
  documentedClient,
  documentedKubeconfig,
  oidcProviderConfigIn,
  signingKeysFromDocumentedCommand,
} from "./documented.js";
import { startProviderStack, type ProviderStack } from "./provider-stack.js";

/** The documented client's first loopback redirect URI: nothing needs to listen there, the test reads the redirect. */
const REDIRECT_URI = "http://localhost:8000";
const SCOPE = "openid profile groups offline_access";
const PROFILE_MAX_AGE_MS = 5 * 60_000;

/** The system's time plus an offset a test moves: the server's facts age without anyone sleeping. */
class MovableClock implements Clock {
  private offset = 0;
  now = () => Date.now() + this.offset;
  sleep = (milliseconds: number) => new Promise<void>((resolve) => setTimeout(resolve, milliseconds));
  advance(milliseconds: number): void {
    this.offset += milliseconds;
  }
}

/** `idToken` with its `exp` an hour before its `iat`: expired for any reader, and no longer matching its signature. */
function expired(idToken: string): string {
  const [header, payload, signature] = idToken.split(".") as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { iat: number; exp: number };
  const moved = Buffer.from(JSON.stringify({ ...claims, exp: claims.iat - 3600 })).toString("base64url");
  return [header, moved, signature].join(".");
}

function claimsOf(idToken: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(idToken.split(".")[1]!, "base64url").toString("utf8")) as Record<string, unknown>;
}

withKubectl((binary) => {
  describe("kubectl's oidc auth-provider, as docs/oidc-provider.md configures it, refreshes through this server", () => {
    const clock = new MovableClock();
    let stack: ProviderStack;
    let cluster: StandInApiServer;
    let clientSecret: string;
    const homes: KubectlHome[] = [];

    beforeAll(async () => {
      clientSecret = randomBytes(24).toString("hex");
      stack = await startProviderStack({
        clients: () => [documentedClient("kubernetes", clientSecret)],
        signingKeys: signingKeysFromDocumentedCommand(),
        env: { PROFILE_MAX_AGE: `${PROFILE_MAX_AGE_MS / 1000}s` },
        clock,
      });
      // The documented client is for acme (orgs) and reports acme/ops (groups).
      stack.emulator.emulator.setTeamMembership("octocat", "acme/ops", "active");
      const flags = oidcFlagsIn(documentedApiServerFlags(stack.issuer));
      cluster = await startStandInApiServer(flags as ApiServerOidcFlags);
    }, 30_000);

    afterAll(async () => {
      for (const home of homes) home.remove();
      await cluster?.close();
      await stack?.close();
    });

    /** A kubeconfig as documented, holding the sign-in's tokens with the ID token expired. */
    async function signedInKubeconfig(): Promise<{ home: KubectlHome; idToken: string; expiredIdToken: string; refreshToken: string }> {
      const config = await discover(stack.issuer, "kubernetes", clientSecret);
      const { tokens } = await codeFlow(config, { redirectUri: REDIRECT_URI, scope: SCOPE, login: "octocat" });
      if (!tokens.id_token || !tokens.refresh_token)
        throw new Error(`the code flow gave no ID token or no refresh token: ${Object.keys(tokens).join(", ")}`);
      const home = kubectlHome(binary);
      homes.push(home);
      const kubeconfig = { server: cluster.url, certificateAuthority: cluster.certificateFile, issuer: stack.issuer, clientSecret };
      const expiredIdToken = expired(tokens.id_token);
      home.writeKubeconfig(documentedKubeconfig({ ...kubeconfig, idToken: expiredIdToken, refreshToken: tokens.refresh_token }));
      return { home, idToken: tokens.id_token, expiredIdToken, refreshToken: tokens.refresh_token };
    }

    test("an expired ID token: kubectl refreshes once, reaches the cluster as the user with their groups, and keeps the new tokens", async () => {
      const { home, idToken, expiredIdToken, refreshToken } = await signedInKubeconfig();
      expect(claimsOf(idToken)).toMatchObject({ preferred_username: "octocat", aud: "kubernetes" });
      expect([...(claimsOf(idToken).groups as string[])].sort()).toEqual(["acme", "acme/ops"]);
      const callsBefore = stack.tokenCalls.length;
      cluster.requests.length = 0;

      const run = await home.run(["get", "--raw", "/api"]);
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });
      expect(JSON.parse(run.stdout)).toMatchObject({ kind: "APIVersions" });
      expect(stack.tokenCalls.slice(callsBefore)).toEqual([{ grantType: "refresh_token", status: 200 }]);
      // Every request reached the cluster as the documented flags name the user: github:<login>, github:<group>.
      expect(cluster.requests.length).toBeGreaterThan(0);
      for (const request of cluster.requests) {
        expect(request).toMatchObject({ user: "github:octocat" });
        expect("groups" in request && [...request.groups].sort()).toEqual(["github:acme", "github:acme/ops"]);
      }

      // kubectl wrote the refreshed tokens back: an unexpired ID token for the same user (within the
      // sign-in's second it is the sign-in's own, byte for byte: same claims, deterministic RS256),
      // and the rotated refresh token.
      const written = oidcProviderConfigIn(home.readKubeconfig());
      expect(written["refresh-token"]).toBeDefined();
      expect(written["refresh-token"]).not.toBe(refreshToken);
      expect(written["id-token"]).not.toBe(expiredIdToken);
      expect(claimsOf(written["id-token"]!)).toMatchObject({
        sub: "583231",
        preferred_username: "octocat",
        aud: "kubernetes",
        iss: stack.issuer,
      });
      expect(claimsOf(written["id-token"]!).exp).toBeGreaterThan(Date.now() / 1000);

      // With a valid ID token in the file, the next command needs no refresh.
      const again = await home.run(["get", "--raw", "/api"]);
      expect(again.code).toBe(0);
      expect(stack.tokenCalls.slice(callsBefore)).toHaveLength(1);
    }, 30_000);

    test("two kubectl commands at once with the same refresh token both reach the cluster", async () => {
      const { home } = await signedInKubeconfig();
      const twin = kubectlHome(binary);
      homes.push(twin);
      twin.writeKubeconfig(home.readKubeconfig());
      const callsBefore = stack.tokenCalls.length;

      const runs = await Promise.all([home.run(["get", "--raw", "/api"]), twin.run(["get", "--raw", "/api"])]);
      expect(runs.map((run) => ({ code: run.code, stderr: run.stderr }))).toEqual([
        { code: 0, stderr: "" },
        { code: 0, stderr: "" },
      ]);
      expect(stack.tokenCalls.slice(callsBefore)).toEqual([
        { grantType: "refresh_token", status: 200 },
        { grantType: "refresh_token", status: 200 },
      ]);
    }, 30_000);

    test("after the user leaves the organisation, the next refresh gets invalid_grant and kubectl fails", async () => {
      const { home } = await signedInKubeconfig();
      stack.emulator.emulator.setOrgMembership("octocat", "acme", null);
      // The decision on record is younger than PROFILE_MAX_AGE; once it is older, a refresh asks GitHub.
      clock.advance(PROFILE_MAX_AGE_MS + 1_000);
      const callsBefore = stack.tokenCalls.length;
      cluster.requests.length = 0;

      const run = await home.run(["get", "--raw", "/api"]);
      expect(run.code).not.toBe(0);
      // client-go passes the provider's answer on: `failed to refresh token: oauth2: "invalid_grant" "not an active member of acme"`
      // (older kubectl: `oauth2: cannot fetch token: 400 Bad Request`, then the response body on the next line).
      expect(run.stderr).toMatch(/failed to refresh token:[\s\S]*invalid_grant[\s\S]*not an active member of acme/);
      // kubectl tries its request more than once (client-go retries what looks like a connection
      // failure); every try asked for a refresh, and each was refused the same way.
      const refreshes = stack.tokenCalls.slice(callsBefore);
      expect(refreshes.length).toBeGreaterThan(0);
      expect(new Set(refreshes.map((call) => JSON.stringify(call)))).toEqual(
        new Set([JSON.stringify({ grantType: "refresh_token", status: 400, error: "invalid_grant" })]),
      );
      // Nothing reached the cluster with a credential: kubectl gave up before sending one.
      expect(cluster.requests.filter((request) => "user" in request)).toEqual([]);
      stack.emulator.emulator.setOrgMembership("octocat", "acme", "active");
    }, 30_000);
  });
});
