// GitHub's token shape since 2021: a prefix naming the kind (gho_ OAuth App, ghu_ GitHub App user,
// ghr_ refresh), random base62 characters, then a 6-character base62 CRC32 of the random part, so
// secret scanners can tell a real token from a typo. gho_/ghu_ are 40 chars in total; the docs' ghr_
// example is 80 chars, so refresh tokens get 70 random + 6 checksum after the prefix.
import { randomInt } from "node:crypto";
import { crc32 } from "node:zlib";

export type TokenPrefix = "gho_" | "ghu_" | "ghr_";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const CHECKSUM_LENGTH = 6; // 62^6 > 2^32, so any CRC32 fits
const RANDOM_LENGTH: Record<TokenPrefix, number> = { gho_: 30, ghu_: 30, ghr_: 70 };

export function generateToken(prefix: TokenPrefix): string {
  let random = "";
  for (let i = 0; i < RANDOM_LENGTH[prefix]; i++) random += BASE62.charAt(randomInt(62));
  return prefix + random + checksumOf(random);
}

/** True when the last 6 characters are the base62 CRC32 of the random part. */
export function hasValidChecksum(token: string): boolean {
  const body = token.slice(4, -CHECKSUM_LENGTH);
  return body.length > 0 && token.slice(-CHECKSUM_LENGTH) === checksumOf(body);
}

function checksumOf(random: string): string {
  let value = crc32(random);
  let digits = "";
  while (value > 0) {
    digits = BASE62.charAt(value % 62) + digits;
    value = Math.floor(value / 62);
  }
  return digits.padStart(CHECKSUM_LENGTH, "0");
}
