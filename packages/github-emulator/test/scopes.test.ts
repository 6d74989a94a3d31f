import { hasScope, normaliseScopes, parseRequestedScopes } from "../src/scopes.js";

describe("scope normalisation", () => {
  it("drops scopes covered by another requested scope, keeping the order (docs: user,gist,user:email → user,gist)", () => {
    expect(normaliseScopes(["user", "gist", "user:email"])).toEqual(["user", "gist"]);
    expect(normaliseScopes(["read:user", "user:follow", "user"])).toEqual(["user"]);
    expect(normaliseScopes(["repo", "repo:status", "repo_deployment", "public_repo", "repo:invite"])).toEqual(["repo"]);
  });

  it("follows the org scope chain admin:org → write:org → read:org", () => {
    expect(normaliseScopes(["read:org", "admin:org", "write:org"])).toEqual(["admin:org"]);
    expect(normaliseScopes(["read:org", "write:org"])).toEqual(["write:org"]);
  });

  it("accepts spaces or commas, removes duplicates, and never records offline_access", () => {
    expect(parseRequestedScopes("read:user  user:email,read:org read:user")).toEqual({
      scopes: ["read:user", "user:email", "read:org"],
      offlineAccess: false,
    });
    expect(parseRequestedScopes("read:user offline_access")).toEqual({ scopes: ["read:user"], offlineAccess: true });
    expect(parseRequestedScopes(undefined)).toEqual({ scopes: [], offlineAccess: false });
  });

  it("hasScope sees covering scopes, transitively", () => {
    expect(hasScope(["user"], "user:email")).toBe(true);
    expect(hasScope(["admin:org"], "read:org")).toBe(true);
    expect(hasScope(["read:user"], "user:email")).toBe(false);
    expect(hasScope(["read:org"], "write:org")).toBe(false);
  });
});
