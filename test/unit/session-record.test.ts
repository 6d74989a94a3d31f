import { randomBytes } from "node:crypto";
import type { CompletedSignIn } from "../../src/auth/sign-in-flow.js";
import {
  openAccessToken,
  openRefreshToken,
  signedInRecordFor,
  tokenContext,
  withTokens,
  type SignedInRecord,
} from "../../src/auth/session-record.js";
import type { TokenSet } from "../../src/github/token-response.js";
import { Sealer } from "../../src/sealer.js";

describe("session record (both tokens in one sealed envelope)", () => {
  const sealer = new Sealer([randomBytes(32)]);
  const now = Date.now();
  const expiring: TokenSet = {
    accessToken: "ghu_accessTokenValue123",
    scopes: [],
    accessTokenExpiresAt: now + 8 * 3_600_000,
    refreshToken: "ghr_refreshTokenValue456",
    refreshTokenExpiresAt: now + 180 * 86_400_000,
  };
  const nonExpiring: TokenSet = {
    accessToken: "gho_oauthTokenValue789",
    scopes: ["read:user"],
    accessTokenExpiresAt: null,
    refreshToken: null,
    refreshTokenExpiresAt: null,
  };
  const completed = (id: number, tokens: TokenSet): CompletedSignIn => ({
    profile: {
      id,
      login: `user${id}`,
      name: null,
      email: null,
      avatarUrl: "",
      htmlUrl: "",
      company: null,
      location: null,
      bio: null,
      createdAt: null,
    },
    profileEtag: null,
    tokens,
    clientType: tokens.refreshToken ? "github-app" : "oauth-app",
    access: {},
    returnTo: "/",
  });
  const recordFor = (id: number, tokens: TokenSet) => signedInRecordFor(completed(id, tokens), sealer, now);
  /** The record as it comes back from the store. */
  const roundTrip = (record: SignedInRecord) => JSON.parse(JSON.stringify(record)) as SignedInRecord;

  test("a signed-in record opens to the same access and refresh token, and holds neither in clear", () => {
    const record = roundTrip(recordFor(1, expiring));
    expect(openAccessToken(record, sealer)).toBe(expiring.accessToken);
    expect(openRefreshToken(record, sealer)).toBe(expiring.refreshToken);
    expect(record.github.sealedTokens).toMatch(/^v1\./);
    expect(sealer.open(record.github.sealedTokens, tokenContext(1))).not.toBeNull();
    const stored = JSON.stringify(record);
    expect(stored).not.toContain(expiring.accessToken);
    expect(stored).not.toContain(expiring.refreshToken!);
    expect(record.github.accessTokenExpiresAt).toBe(expiring.accessTokenExpiresAt);
    expect(record.github.refreshTokenExpiresAt).toBe(expiring.refreshTokenExpiresAt);
  });

  test("without a refresh token, the access token opens and there is no refresh token", () => {
    const record = roundTrip(recordFor(1, nonExpiring));
    expect(openAccessToken(record, sealer)).toBe(nonExpiring.accessToken);
    expect(openRefreshToken(record, sealer)).toBeNull();
  });

  test("an envelope copied into another user's record does not open", () => {
    const victim = recordFor(1, expiring);
    const attacker = recordFor(2, nonExpiring);
    const forged: SignedInRecord = { ...attacker, github: { ...attacker.github, sealedTokens: victim.github.sealedTokens } };
    expect(openAccessToken(forged, sealer)).toBeNull();
    expect(openRefreshToken(forged, sealer)).toBeNull();
  });

  test("a tampered, malformed or missing envelope opens to nothing", () => {
    const record = recordFor(1, expiring);
    const withSealed = (sealedTokens: unknown) => ({ ...record, github: { ...record.github, sealedTokens } }) as SignedInRecord;
    const parts = record.github.sealedTokens.split(".");
    const flipped = Buffer.from(parts[3]!, "base64url");
    flipped[0] = flipped[0]! ^ 1;
    parts[3] = flipped.toString("base64url");
    for (const sealedTokens of [parts.join("."), "v1.garbage", "", undefined]) {
      expect(openAccessToken(withSealed(sealedTokens), sealer)).toBeNull();
      expect(openRefreshToken(withSealed(sealedTokens), sealer)).toBeNull();
    }
  });

  test("an envelope that opens but does not hold a token pair opens to nothing", () => {
    const record = recordFor(1, expiring);
    for (const plaintext of ["ghu_x", "[]", '[""]', '["ghu_x","ghr_y","extra"]', '["ghu_x",""]', "[1]", '["ghu_x",null]', '{"a":"b"}']) {
      const forged: SignedInRecord = { ...record, github: { ...record.github, sealedTokens: sealer.seal(plaintext, tokenContext(1)) } };
      expect(openAccessToken(forged, sealer)).toBeNull();
      expect(openRefreshToken(forged, sealer)).toBeNull();
    }
  });

  test("withTokens seals the new pair in a new envelope", () => {
    const record = recordFor(1, expiring);
    const refreshed: TokenSet = { ...expiring, accessToken: "ghu_newAccess", refreshToken: "ghr_newRefresh" };
    const next = withTokens(record, refreshed, sealer);
    expect(next.github.sealedTokens).not.toBe(record.github.sealedTokens);
    expect(openAccessToken(next, sealer)).toBe("ghu_newAccess");
    expect(openRefreshToken(next, sealer)).toBe("ghr_newRefresh");
    // The same pair sealed again still gives a different envelope (fresh IV).
    expect(withTokens(record, expiring, sealer).github.sealedTokens).not.toBe(record.github.sealedTokens);
    // A refresh answer without a refresh token leaves none behind.
    expect(openRefreshToken(withTokens(record, nonExpiring, sealer), sealer)).toBeNull();
  });
});
