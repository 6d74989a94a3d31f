import { safeReturnTo } from "../../src/auth/return-to.js";
import { HOSTILE_RETURN_TO } from "../support/hostile-return-to.js";

const PUBLIC_URL = "https://login.example.com";

describe("safeReturnTo", () => {
  test.each(HOSTILE_RETURN_TO.map((value) => [JSON.stringify(value).slice(0, 60), value]))("refuses %s", (_label, value) => {
    expect(safeReturnTo(value, PUBLIC_URL)).toBe("/");
  });

  test.each([
    ["/", "/"],
    ["/dashboard", "/dashboard"],
    ["/repos?tab=stars&q=a%20b", "/repos?tab=stars&q=a%20b"],
    ["/page#section", "/page#section"],
    ["/a/../b", "/b"],
  ])("keeps the same-origin path %s", (value, expected) => {
    expect(safeReturnTo(value, PUBLIC_URL)).toBe(expected);
  });

  test("refuses values that are not a single string", () => {
    expect(safeReturnTo(["/a", "/b"], PUBLIC_URL)).toBe("/");
    expect(safeReturnTo({ x: "/a" }, PUBLIC_URL)).toBe("/");
    expect(safeReturnTo(undefined, PUBLIC_URL)).toBe("/");
  });
});
