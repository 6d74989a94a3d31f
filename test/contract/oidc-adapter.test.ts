// One contract, both stores of the OpenID Connect provider's state (store/oidc-records.ts and its
// memory twin): what single-use codes, rotating refresh tokens, the device flow's user codes and
// revoking a grant (auth/oidc) rest on, on Redis as on this process's memory.
import { Redis } from "ioredis";
import { redisOidcRecords, type OidcRecordsFactory } from "../../src/store/oidc-records.js";
import { memoryOidcRecords } from "../../src/store/oidc-records-memory.js";
import { bothStores, type StoreTime } from "./time-passes.js";

// The run's redis-server (test/support/global-setup.js), read directly: this suite needs nothing of the app.
const redis = new Redis(process.env.GLS_TEST_REDIS_URL ?? "redis://unset-run-the-tests-with-npm-test");
afterAll(() => redis.disconnect());

const stores = bothStores<OidcRecordsFactory>(
  redis,
  ["redisOidcRecords", (keyPrefix, clock) => redisOidcRecords(redis, keyPrefix, clock)],
  ["memoryOidcRecords", (_prefix, clock) => memoryOidcRecords(clock)],
);

describe.each(stores)("%s", (_name, makeStore) => {
  let records: OidcRecordsFactory;
  let time: StoreTime;
  beforeEach(() => {
    ({ store: records, time } = makeStore());
  });

  test("a record reads back as written, and an upsert replaces it whole", async () => {
    const codes = records("AuthorizationCode");
    await codes.upsert("c1", { grantId: "g1", scope: "openid", nested: { list: [1, "two"] } }, 60);
    expect(await codes.find("c1")).toEqual({ grantId: "g1", scope: "openid", nested: { list: [1, "two"] } });
    await codes.upsert("c1", { grantId: "g1", scope: "openid profile" }, 60);
    expect(await codes.find("c1")).toEqual({ grantId: "g1", scope: "openid profile" });
    expect(await codes.find("c2")).toBeUndefined();
  });

  test("models are apart: the same id in two models is two records", async () => {
    await records("AccessToken").upsert("same", { kind: "AccessToken" }, 60);
    await records("RefreshToken").upsert("same", { kind: "RefreshToken" }, 60);
    expect(await records("AccessToken").find("same")).toEqual({ kind: "AccessToken" });
    expect(await records("RefreshToken").find("same")).toEqual({ kind: "RefreshToken" });
  });

  test("a record lives its expiry and no longer", async () => {
    const tokens = records("AccessToken");
    await tokens.upsert("t1", { grantId: "g1" }, 300);
    await tokens.upsert("t2", { scope: "openid" }, 300);
    await time.elapse(299_000);
    expect(await tokens.find("t1")).toBeDefined();
    expect(await tokens.find("t2")).toBeDefined();
    await time.elapse(2_000);
    expect(await tokens.find("t1")).toBeUndefined();
    expect(await tokens.find("t2")).toBeUndefined();
  });

  test("consume marks a record once: of parallel calls exactly one marks it, the others learn when", async () => {
    const codes = records("AuthorizationCode");
    await codes.upsert("c1", { grantId: "g1" }, 60);
    const answers = await Promise.all(Array.from({ length: 8 }, () => codes.consume("c1")));
    expect(answers.filter((answer) => answer === null)).toHaveLength(1);
    const marked = (await codes.find("c1"))!.consumed;
    expect(typeof marked).toBe("number");
    expect(answers.filter((answer) => answer !== null)).toEqual(Array(7).fill(marked));
  });

  test("a consumed record keeps its mark and its expiry; consuming a missing one changes nothing", async () => {
    const tokens = records("RefreshToken");
    await tokens.upsert("r1", { grantId: "g1" }, 120);
    expect(await tokens.consume("r1")).toBeNull();
    await time.elapse(30_000);
    expect(await tokens.consume("r1")).toBe((await tokens.find("r1"))!.consumed);
    await time.elapse(91_000);
    expect(await tokens.find("r1")).toBeUndefined();
    expect(await tokens.consume("r1")).toBeNull();
    expect(await tokens.find("r1")).toBeUndefined();
  });

  test("revokeByGrantId deletes every record of the grant, of every model, and nothing else", async () => {
    await records("AuthorizationCode").upsert("c1", { grantId: "g1" }, 60);
    await records("AccessToken").upsert("a1", { grantId: "g1" }, 60);
    await records("RefreshToken").upsert("r1", { grantId: "g1" }, 600);
    await records("RefreshToken").upsert("r2", { grantId: "g2" }, 600);
    await records("Grant").upsert("g1", { accountId: "x" }, 600);
    await records("AccessToken").revokeByGrantId("g1");
    expect(await records("AuthorizationCode").find("c1")).toBeUndefined();
    expect(await records("AccessToken").find("a1")).toBeUndefined();
    expect(await records("RefreshToken").find("r1")).toBeUndefined();
    expect(await records("RefreshToken").find("r2")).toEqual({ grantId: "g2" });
    // The grant itself is oidc-provider's to destroy (its Grant store), not a member of itself.
    expect(await records("Grant").find("g1")).toEqual({ accountId: "x" });
    // A consume after the revocation finds nothing to mark.
    expect(await records("RefreshToken").consume("r1")).toBeNull();
  });

  test("a record that joins a grant later (a device code, once approved) is revoked with it", async () => {
    const deviceCodes = records("DeviceCode");
    await deviceCodes.upsert("d1", { userCode: "ABCD-EFGH", status: "pending" }, 600);
    expect(await deviceCodes.findByUserCode("ABCD-EFGH")).toEqual({ userCode: "ABCD-EFGH", status: "pending" });
    await deviceCodes.upsert("d1", { userCode: "ABCD-EFGH", grantId: "g9", status: "approved" }, 590);
    expect(await deviceCodes.find("d1")).toEqual({ userCode: "ABCD-EFGH", grantId: "g9", status: "approved" });
    expect(await deviceCodes.findByUserCode("ABCD-EFGH")).toEqual({ userCode: "ABCD-EFGH", grantId: "g9", status: "approved" });
    await deviceCodes.revokeByGrantId("g9");
    expect(await deviceCodes.find("d1")).toBeUndefined();
    expect(await deviceCodes.findByUserCode("ABCD-EFGH")).toBeUndefined();
  });

  test("findByUserCode and findByUid find only what names them, and only while it lives", async () => {
    await records("Session").upsert("s1", { uid: "u1", accountId: "x" }, 60);
    expect(await records("Session").findByUid("u1")).toEqual({ uid: "u1", accountId: "x" });
    expect(await records("Session").findByUid("u2")).toBeUndefined();
    expect(await records("DeviceCode").findByUserCode("NOPE-NOPE")).toBeUndefined();
    await time.elapse(61_000);
    expect(await records("Session").findByUid("u1")).toBeUndefined();
  });

  test("destroy removes one record; its grant's other records stay", async () => {
    await records("RefreshToken").upsert("r1", { grantId: "g1" }, 600);
    await records("RefreshToken").upsert("r2", { grantId: "g1" }, 600);
    await records("Interaction").upsert("i1", { uid: "i1" }, 600);
    await records("RefreshToken").destroy("r1");
    await records("Interaction").destroy("i1");
    expect(await records("RefreshToken").find("r1")).toBeUndefined();
    expect(await records("RefreshToken").find("r2")).toEqual({ grantId: "g1" });
    expect(await records("Interaction").find("i1")).toBeUndefined();
  });

  test("a revoked grant's member list lives as long as its longest-lived record, then its records are gone too", async () => {
    await records("RefreshToken").upsert("r1", { grantId: "g1" }, 600);
    await records("AccessToken").upsert("a1", { grantId: "g1" }, 60);
    await time.elapse(61_000);
    await records("AccessToken").revokeByGrantId("g1");
    expect(await records("RefreshToken").find("r1")).toBeUndefined();
  });
});

test("on Redis every key is under the prefix, and a grant's records share its hash slot", async () => {
  const keyPrefix = `gls-contract-slots-${Date.now()}:`;
  const records = redisOidcRecords(redis, keyPrefix, { now: () => Date.now(), sleep: async () => undefined });
  await records("RefreshToken").upsert("r1", { grantId: "gX" }, 60);
  await records("AccessToken").upsert("a1", { grantId: "gX" }, 60);
  const keys = await redis.keys(`${keyPrefix}*`);
  expect(keys.every((key) => key.startsWith(`${keyPrefix}oidc:`))).toBe(true);
  const tagged = keys.filter((key) => key.includes("{gX}"));
  expect(tagged.sort()).toEqual(
    [`${keyPrefix}oidc:{gX}:AccessToken:a1`, `${keyPrefix}oidc:{gX}:RefreshToken:r1`, `${keyPrefix}oidc:{gX}:grant`].sort(),
  );
  for (const key of keys) expect(await redis.pttl(key)).toBeGreaterThan(0);
  await redis.del(...keys);
});
