// Which host a request is for, and when it is refused instead (src/http/host-reading.ts): the one
// function the front door asks for every request, over the raw headers, the request line, the
// sender's address and TRUST_PROXY, compiled once (compileProxyTrust) and given to Express too.
import type { IncomingMessage } from "node:http";
import express from "express";
import { createHostTable } from "../../src/config/host-table.js";
import { readProtectedHosts } from "../../src/config/protected-hosts.js";
import { compileProxyTrust, readHost, type HostReading, type ProxyTrust } from "../../src/http/host-reading.js";

const PUBLIC_URL = "https://login.test";
const table = createHostTable(PUBLIC_URL, readProtectedHosts("a.test, b.test, app.test:8443, *.tools.test", PUBLIC_URL, []));

/** TRUST_PROXY as the server compiles it (config.trustProxy: true/false, a hop count, or a list). */
const trustOf = (setting: boolean | number | string[]): ProxyTrust => compileProxyTrust(setting);
const TRUSTS_LOOPBACK = trustOf(["loopback"]);
const TRUSTS_NOBODY = trustOf(false);

/** What Express's own compilation of a `trust proxy` setting answers (the meaning TRUST_PROXY documents). */
function expressTrustOf(setting: boolean | number | string[]): ProxyTrust {
  const app = express();
  app.set("trust proxy", setting);
  return app.get("trust proxy fn") as ProxyTrust;
}

test("TRUST_PROXY compiled once means what Express's `trust proxy` means, for every kind of setting", () => {
  const settings: (boolean | number | string[])[] = [
    true,
    false,
    0,
    1,
    2,
    ["loopback"],
    ["10.0.0.0/8", "uniquelocal"],
    ["192.0.2.7"],
    ["linklocal", "::1"],
  ];
  const addresses = [
    "127.0.0.1",
    "::1",
    "::ffff:127.0.0.1",
    "10.1.2.3",
    "192.0.2.7",
    "192.0.2.8",
    "fe80::1",
    "fd00::5",
    "203.0.113.9",
    "not an address",
  ];
  for (const setting of settings) {
    const ours = compileProxyTrust(setting);
    const express = expressTrustOf(setting);
    for (const address of addresses) {
      for (const hop of [0, 1, 2])
        expect([setting, address, hop, ours(address, hop)]).toEqual([setting, address, hop, express(address, hop)]);
    }
    // A socket already gone has no address.
    expect([setting, ours(undefined, 0)]).toEqual([setting, express(undefined, 0)]);
  }
});

/** A request as node:http hands it over: raw headers in order, the parsed ones as node:http joins them. */
function requestOf(rawHeaders: [string, string][], options: { url?: string; from?: string } = {}): IncomingMessage {
  const headers: Record<string, string> = {};
  for (const [name, value] of rawHeaders) {
    const key = name.toLowerCase();
    if (key === "host")
      headers[key] ??= value; // node:http keeps the first Host
    else headers[key] = key in headers ? `${headers[key]}, ${value}` : value;
  }
  return {
    headers,
    rawHeaders: rawHeaders.flat(),
    url: options.url ?? "/api/me",
    socket: { remoteAddress: options.from ?? "127.0.0.1" },
  } as unknown as IncomingMessage;
}

/** What a reading comes to: the host, or the refusal's kind. */
const outcome = (reading: HostReading) => reading.host?.host ?? reading.refusal!.kind;

const read = (rawHeaders: [string, string][], options: { url?: string; from?: string; trust?: ProxyTrust } = {}) =>
  outcome(readHost(table, requestOf(rawHeaders, options), options.trust ?? TRUSTS_LOOPBACK));

describe("the host a request is for", () => {
  test("Host names it, in any case and with or without the scheme's default port", () => {
    expect(read([["Host", "a.test"]])).toBe("a.test");
    expect(read([["Host", "A.Test:443"]])).toBe("a.test");
    expect(read([["Host", "login.test"]])).toBe("login.test");
    expect(read([["Host", "x.tools.test"]])).toBe("x.tools.test");
    expect(read([["Host", "app.test:8443"]])).toBe("app.test:8443");
    for (const other of ["evil.test", "a.test.", "a.test:8443", "app.test", ""])
      expect([other, read([["Host", other]])]).toEqual([other, "unknown"]);
    expect(read([])).toBe("unknown");
  });

  test("a trusted proxy's X-Forwarded-Host names it; from anyone else it is not heard", () => {
    const forwarded: [string, string][] = [
      ["Host", "login-server:3000"],
      ["X-Forwarded-Host", "b.test"],
    ];
    expect(read(forwarded)).toBe("b.test");
    expect(read(forwarded, { from: "203.0.113.9" })).toBe("unknown");
    expect(read(forwarded, { trust: TRUSTS_NOBODY })).toBe("unknown");
    expect(read(forwarded, { trust: trustOf(1) })).toBe("b.test");
    expect(
      read([
        ["Host", "a.test"],
        ["X-Forwarded-Host", "evil.test"],
      ]),
    ).toBe("unknown");
    expect(
      read([
        ["Host", "a.test"],
        ["X-Forwarded-Host", ""],
      ]),
    ).toBe("a.test"); // empty: as Express reads it, none
  });

  test("an X-Forwarded-Host holding different hosts is refused, whether a list or the header repeated", () => {
    for (const list of ["b.test, a.test", "evil.test,b.test", "b.test , login.test"]) {
      expect([
        list,
        read([
          ["Host", "login-server:3000"],
          ["X-Forwarded-Host", list],
        ]),
      ]).toEqual([list, "ambiguous"]);
    }
    const repeated: [string, string][] = [
      ["Host", "login-server:3000"],
      ["X-Forwarded-Host", "b.test"],
      ["X-Forwarded-Host", "a.test"],
    ];
    expect(read(repeated)).toBe("ambiguous");
    // The same host twice (two proxies, each appending the host it saw) is that host.
    expect(
      read([
        ["Host", "login-server:3000"],
        ["X-Forwarded-Host", "b.test, B.test"],
      ]),
    ).toBe("b.test");
    // Not heard at all from a sender TRUST_PROXY does not trust: Host decides.
    expect(
      read(
        [
          ["Host", "a.test"],
          ["X-Forwarded-Host", "b.test, a.test"],
        ],
        { trust: TRUSTS_NOBODY },
      ),
    ).toBe("a.test");
  });

  test("Host naming one host of ours and a trusted X-Forwarded-Host another is refused as conflicting", () => {
    expect(
      read([
        ["Host", "a.test"],
        ["X-Forwarded-Host", "b.test"],
      ]),
    ).toBe("conflicting");
    expect(
      read([
        ["Host", "login.test"],
        ["X-Forwarded-Host", "a.test"],
      ]),
    ).toBe("conflicting");
    expect(
      read([
        ["Host", "a.test"],
        ["X-Forwarded-Host", "login.test"],
      ]),
    ).toBe("conflicting");
    expect(
      read([
        ["Host", "a.test"],
        ["X-Forwarded-Host", "a.test:443"],
      ]),
    ).toBe("a.test"); // the same host
    expect(
      read([
        ["Host", "127.0.0.1:3000"],
        ["X-Forwarded-Host", "a.test"],
      ]),
    ).toBe("a.test"); // Host none of ours: a proxy's own upstream name
    expect(
      read(
        [
          ["Host", "a.test"],
          ["X-Forwarded-Host", "b.test"],
        ],
        { trust: TRUSTS_NOBODY },
      ),
    ).toBe("a.test");
  });

  test("the one pair let through: /auth/check at the login host for a protected host (forwardAuth at the login host's URL)", () => {
    const forwardAuth: [string, string][] = [
      ["Host", "login.test"],
      ["X-Forwarded-Host", "a.test"],
    ];
    expect(read(forwardAuth, { url: "/auth/check" })).toBe("a.test");
    expect(read(forwardAuth, { url: "/auth/check?teams=acme/ops" })).toBe("a.test");
    for (const url of ["/api/me", "/auth/github", "/auth/check/", "/auth/checkout", "/auth/handoff?ticket=x", "/"]) {
      expect([url, read(forwardAuth, { url })]).toEqual([url, "conflicting"]);
    }
    // Only that direction: a protected host's Host with another host of ours is never let through.
    expect(
      read(
        [
          ["Host", "a.test"],
          ["X-Forwarded-Host", "b.test"],
        ],
        { url: "/auth/check" },
      ),
    ).toBe("conflicting");
    expect(
      read(
        [
          ["Host", "a.test"],
          ["X-Forwarded-Host", "login.test"],
        ],
        { url: "/auth/check" },
      ),
    ).toBe("conflicting");
  });

  test("more than one Host header is refused", () => {
    expect(
      read([
        ["Host", "a.test"],
        ["host", "b.test"],
      ]),
    ).toBe("ambiguous");
    expect(
      read([
        ["Host", "a.test"],
        ["HOST", "a.test"],
      ]),
    ).toBe("ambiguous");
    expect(
      read([
        ["Host", "a.test"],
        ["X-Host", "b.test"],
        ["Hosts", "b.test"],
      ]),
    ).toBe("a.test");
  });

  test("an absolute request line must name the host Host names", () => {
    expect(read([["Host", "a.test"]], { url: "https://a.test/api/me" })).toBe("a.test");
    expect(read([["Host", "A.test:443"]], { url: "https://a.test/api/me" })).toBe("a.test");
    expect(read([["Host", "b.test"]], { url: "https://a.test/api/me" })).toBe("ambiguous");
    expect(read([["Host", "a.test"]], { url: "https://a.test:444/api/me" })).toBe("ambiguous");
    expect(read([["Host", "a.test"]], { url: "https://user@a.test/api/me" })).toBe("ambiguous");
    expect(read([], { url: "https://a.test/api/me" })).toBe("ambiguous");
    // The request line does not get past a trusted proxy's word either: X-Forwarded-Host still decides after it.
    expect(
      read(
        [
          ["Host", "login-server:3000"],
          ["X-Forwarded-Host", "b.test"],
        ],
        { url: "http://login-server:3000/api/me" },
      ),
    ).toBe("b.test");
  });
});
