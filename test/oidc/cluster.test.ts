// The provider on a real Redis Cluster (SPEC §9: "on Redis, Sentinel or Cluster"): three masters
// from redis-server, each requiring a password. A grant's records and its member set share a hash
// slot ({grantId}), so joining a grant and revoking it are each one script; the codes, tokens and
// sessions of the flow live on different nodes, and two instances serve the same grants.
import { Cluster } from "ioredis";
import { ManualClock } from "../../src/clock.js";
import { REFRESH_REUSE_GRACE_SECONDS } from "../../src/oidc/adapter.js";
import { redisOidcRecords } from "../../src/store/oidc-records.js";
import { startRedisCluster, type RunningCluster } from "../support/redis-cluster.js";
import { client, newBrowser, relyingParty, signInWithCode, startOidcStack, type TestStack } from "../support/oidc-stack.js";

const PASSWORD = "oidc-cluster-password";
const clock = new ManualClock(Date.now());
let cluster: RunningCluster;
let stack: TestStack;
let inspect: Cluster;

beforeAll(async () => {
  cluster = await startRedisCluster(3, PASSWORD);
  stack = await startOidcStack({ clock, env: { REDIS_URL: "", REDIS_CLUSTER_NODES: cluster.nodesVariable, REDIS_PASSWORD: PASSWORD } });
  inspect = new Cluster(cluster.nodes, { redisOptions: { password: PASSWORD } });
}, 30_000);
afterAll(async () => {
  inspect?.disconnect();
  await stack?.close();
  await cluster?.stop();
});

test("a flow on two instances: code, refreshes (rotation, grace), userinfo; a reuse past the grace revokes the whole grant", async () => {
  const other = await stack.anotherInstance();
  const here = await relyingParty(stack.app, "cli");
  const there = await relyingParty(other, "cli");
  const tokens = await signInWithCode(stack.app, newBrowser(stack.app), here);
  const [first, second] = await Promise.all([
    client.refreshTokenGrant(here, tokens.refresh_token!),
    client.refreshTokenGrant(there, tokens.refresh_token!),
  ]);
  expect((await client.fetchUserInfo(there, first.access_token, "583231")).preferred_username).toBe("octocat");
  clock.advance((REFRESH_REUSE_GRACE_SECONDS + 1) * 1000);
  await expect(client.refreshTokenGrant(there, tokens.refresh_token!)).rejects.toMatchObject({ error: "invalid_grant" });
  await expect(client.refreshTokenGrant(here, second.refresh_token!)).rejects.toMatchObject({ error: "invalid_grant" });
});

test("a grant's records share a slot with its member set, and a revocation deletes them all", async () => {
  const records = redisOidcRecords(inspect, `${stack.keyPrefix}direct:`, clock);
  await records("AccessToken").upsert("a1", { grantId: "g-cluster" }, 60);
  await records("RefreshToken").upsert("r1", { grantId: "g-cluster" }, 60);
  await records("RefreshToken").upsert("r2", { grantId: "g-other" }, 60);
  const slots = new Set(
    await Promise.all(
      ["AccessToken:a1", "RefreshToken:r1", "grant"].map((name) =>
        inspect.cluster("KEYSLOT", `${stack.keyPrefix}direct:oidc:{g-cluster}:${name}`),
      ),
    ),
  );
  expect(slots.size).toBe(1);
  await records("AccessToken").revokeByGrantId("g-cluster");
  expect(await records("AccessToken").find("a1")).toBeUndefined();
  expect(await records("RefreshToken").find("r1")).toBeUndefined();
  expect(await records("RefreshToken").find("r2")).toEqual({ grantId: "g-other" });
});
