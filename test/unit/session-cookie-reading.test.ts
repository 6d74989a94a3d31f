// The tests' reading of the session cookie: a wrong id would make every "this entry is gone" check
// look at a key that never existed, and pass for nothing.
import { sessionEntryKeyOf, sessionIdOf } from "../support/cookies.js";

const ID = "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWo"; // base64url, as the server's genid writes
const SIGNATURE = "a+b/c9XyZ"; // base64 (cookie-signature): + and / arrive URL-encoded

test("reads the id from a Cookie pair, on http and https, and from a bare value", () => {
  const value = encodeURIComponent(`s:${ID}.${SIGNATURE}`);
  expect(sessionIdOf(`gls.sid=${value}`)).toBe(ID);
  expect(sessionIdOf(`__Host-gls.sid=${value}`)).toBe(ID);
  expect(sessionIdOf(value)).toBe(ID);
  expect(sessionEntryKeyOf("gls-test:", `gls.sid=${value}`)).toBe(`gls-test:sess:${ID}`);
});

test.each([
  ["unsigned", `gls.sid=${ID}`],
  ["no signature", `gls.sid=s%3A${ID}`],
  ["another cookie", `gls-signin=s%3A${ID}.${SIGNATURE}`],
  ["empty", "gls.sid="],
])("refuses a cookie that is not a signed session cookie (%s)", (_label, cookie) => {
  expect(() => sessionIdOf(cookie)).toThrow(`not a signed session cookie: ${cookie}`);
});
