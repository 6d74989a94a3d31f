import { resolveRedirectUri, withQuery } from "../src/redirect-uri.js";
import type { EmulatorClient } from "../src/index.js";

function client(type: EmulatorClient["type"], callbacks: Array<[string, boolean]>): EmulatorClient {
  return {
    clientId: "id",
    clientSecret: "secret",
    name: "App",
    type,
    expiringTokens: false,
    callbackUrls: callbacks.map(([url, wildcard]) => ({ url, wildcard })),
  };
}

describe("redirect_uri matching", () => {
  const oauthApp = client("oauth-app", [["http://example.com/path", false]]);

  it.each([
    "http://example.com/path",
    "http://example.com/path/subdir/other",
    "http://oauth.example.com/path",
    "http://oauth.example.com/path/sub",
  ])("OAuth App accepts %s (docs example)", (uri) => expect(resolveRedirectUri(oauthApp, uri)).toBe(uri));

  it.each([
    "http://example.com/bar",
    "http://example.com/",
    "http://example.com/pathology",
    "http://example.com:8080/path",
    "http://oauth.example.com:8080/path",
    "http://example.org/path",
    "https://example.com/path",
    "http://evilexample.com/path",
    "http://example.com/path/../bar",
    "http://user@example.com/path",
    "not a url",
  ])("OAuth App refuses %s", (uri) => expect(resolveRedirectUri(oauthApp, uri)).toBeNull());

  it("lets the port differ for loopback callbacks only", () => {
    const loopback = client("oauth-app", [["http://127.0.0.1/path", false]]);
    expect(resolveRedirectUri(loopback, "http://127.0.0.1:1234/path")).toBe("http://127.0.0.1:1234/path");
    expect(resolveRedirectUri(loopback, "http://127.0.0.1:1234/other")).toBeNull();
    const ipv6 = client("oauth-app", [["http://[::1]:3000/cb", false]]);
    expect(resolveRedirectUri(ipv6, "http://[::1]:4567/cb")).toBe("http://[::1]:4567/cb");
  });

  it("GitHub App: exact match against any of its callbacks unless wildcard is on", () => {
    const app = client("github-app", [
      ["https://app.example.com/auth/callback", false],
      ["http://127.0.0.1:3000/cb", false],
    ]);
    expect(resolveRedirectUri(app, "http://127.0.0.1:3000/cb")).toBe("http://127.0.0.1:3000/cb");
    expect(resolveRedirectUri(app, "https://app.example.com/auth/callback/sub")).toBeNull();
    expect(resolveRedirectUri(app, "https://app.example.com/auth/callback?x=1")).toBeNull();
    expect(resolveRedirectUri(app, "http://127.0.0.1:4000/cb")).toBeNull();
    const wildcard = client("github-app", [["https://app.example.com/auth", true]]);
    expect(resolveRedirectUri(wildcard, "https://eu.app.example.com/auth/callback")).toBe("https://eu.app.example.com/auth/callback");
  });

  it("an omitted redirect_uri means the first registered callback", () => {
    const app = client("github-app", [
      ["https://first.example.com/cb", false],
      ["https://second.example.com/cb", false],
    ]);
    expect(resolveRedirectUri(app, undefined)).toBe("https://first.example.com/cb");
  });

  it("appends parameters with ? or & as the URI needs", () => {
    expect(withQuery("https://a.example/cb", { code: "c", state: "s t" })).toBe("https://a.example/cb?code=c&state=s+t");
    expect(withQuery("https://a.example/cb?x=1", { code: "c", state: undefined })).toBe("https://a.example/cb?x=1&code=c");
  });
});
