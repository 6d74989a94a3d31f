import { crc32 } from "node:zlib";
import { generateToken, hasValidChecksum } from "../src/token-format.js";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

function base62ToNumber(text: string): number {
  return [...text].reduce((value, char) => value * 62 + BASE62.indexOf(char), 0);
}

describe("token format (prefix + base62 random + 6-char base62 CRC32)", () => {
  it.each([
    ["gho_", 40],
    ["ghu_", 40],
    ["ghr_", 80],
  ] as const)("%s tokens are %i characters of [A-Za-z0-9_] with a valid checksum", (prefix, length) => {
    const token = generateToken(prefix);
    expect(token.startsWith(prefix)).toBe(true);
    expect(token).toHaveLength(length);
    expect(token.slice(4)).toMatch(/^[A-Za-z0-9]+$/);
    // Recompute the checksum independently: base62(crc32(random part)), zero-padded to 6.
    const random = token.slice(4, -6);
    expect(base62ToNumber(token.slice(-6))).toBe(crc32(random));
    expect(hasValidChecksum(token)).toBe(true);
  });

  it("is random: 200 tokens are all different", () => {
    const tokens = new Set(Array.from({ length: 200 }, () => generateToken("gho_")));
    expect(tokens.size).toBe(200);
  });

  it("a changed character breaks the checksum", () => {
    const token = generateToken("ghu_");
    const flipped = token.slice(0, 10) + (token[10] === "a" ? "b" : "a") + token.slice(11);
    expect(hasValidChecksum(flipped)).toBe(false);
  });
});
