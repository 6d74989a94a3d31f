// The server's reading of its session cookie (src/http/session-cookie.ts): signed under any of the
// secrets, bound to its host, and the same answer however often the same value is read (a value
// whose signature checked out is remembered; a forged one never is).
import { createHostTable } from "../../src/config/host-table.js";
import { loadConfig } from "../../src/config/load-config.js";
import { sessionCookies } from "../../src/http/session-cookie.js";

const CURRENT = "current-secret-0123456789abcdefghijklmnop";
const OLDER = "older-secret-0123456789abcdefghijklmnopqr";
const ID = "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWo";

function cookiesUnder(secrets: string) {
  const result = loadConfig({
    PUBLIC_URL: "http://app.test:3000",
    PROTECTED_HOSTS: "b.test:3000",
    GITHUB_CLIENT_ID: "Iv23liTestClient00001",
    GITHUB_CLIENT_SECRET: "test-client-secret-0123456789abcdef",
    SESSION_SECRET: secrets,
    TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64"),
    REDIS_URL: "redis://127.0.0.1:1",
  });
  if (!result.ok) throw new Error(result.errors.join("; "));
  const hosts = createHostTable(result.config.publicUrl, result.config.protectedHosts);
  return { cookies: sessionCookies(result.config), login: hosts.lookup("app.test:3000")!, protectedHost: hosts.lookup("b.test:3000")! };
}

const header = (value: string) => `other=1; gls.sid=${encodeURIComponent(value)}`;

test("a valid cookie reads the same every time; a tampered one is refused every time, before and after", () => {
  const { cookies, login } = cookiesUnder(CURRENT);
  const value = cookies.signedValue(ID, login);
  const tampered = `${value.slice(0, -2)}${value.endsWith("A") ? "BB" : "AA"}`;
  for (let round = 0; round < 3; round += 1) {
    expect(cookies.read(header(tampered), login)).toBeNull();
    expect(cookies.read(header(value), login)).toEqual({ sessionId: ID, signedWithCurrentSecret: true });
  }
  // The same id with another signature, and another id with this signature: refused too.
  expect(cookies.read(header(`s:${ID}x.${value.split(".").pop()}`), login)).toBeNull();
});

test("a cookie signed with an older secret reads as such every time, so it keeps being signed again", () => {
  const { cookies: older, login } = cookiesUnder(OLDER);
  const value = older.signedValue(ID, login);
  const { cookies: rotated } = cookiesUnder(`${CURRENT},${OLDER}`);
  for (let round = 0; round < 2; round += 1) {
    expect(rotated.read(header(value), login)).toEqual({ sessionId: ID, signedWithCurrentSecret: false });
  }
  // Without the older secret it does not read at all.
  expect(cookiesUnder(CURRENT).cookies.read(header(value), login)).toBeNull();
});

test("a cookie is bound to its host, whichever host it was read on first", () => {
  const { cookies, login, protectedHost } = cookiesUnder(CURRENT);
  const forProtected = cookies.signedValue(ID, protectedHost);
  const forLogin = cookies.signedValue(ID, login);
  expect(cookies.read(header(forProtected), protectedHost)).toEqual({ sessionId: ID, signedWithCurrentSecret: true });
  expect(cookies.read(header(forProtected), login)).toBeNull();
  expect(cookies.read(header(forLogin), login)).toEqual({ sessionId: ID, signedWithCurrentSecret: true });
  expect(cookies.read(header(forLogin), protectedHost)).toBeNull();
});
