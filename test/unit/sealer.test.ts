import { randomBytes } from "node:crypto";
import { Sealer } from "../../src/sealer.js";

describe("Sealer (AES-256-GCM with key ids)", () => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);

  test("opens what it sealed, and the sealed text does not contain the secret", () => {
    const sealer = new Sealer([newKey]);
    const sealed = sealer.seal("ghu_secretTokenValue123", "access:1");
    expect(sealed).not.toContain("ghu_secretTokenValue123");
    expect(sealer.open(sealed, "access:1")).toBe("ghu_secretTokenValue123");
  });

  test("sealing twice gives different ciphertexts (random IV)", () => {
    const sealer = new Sealer([newKey]);
    expect(sealer.seal("same", "ctx")).not.toBe(sealer.seal("same", "ctx"));
  });

  test("refuses another context: a token moved to another user or slot does not open", () => {
    const sealer = new Sealer([newKey]);
    const sealed = sealer.seal("ghu_x", "access:1");
    expect(sealer.open(sealed, "access:2")).toBeNull();
    expect(sealer.open(sealed, "refresh:1")).toBeNull();
  });

  test("refuses tampered values", () => {
    const sealer = new Sealer([newKey]);
    const parts = sealer.seal("ghu_x", "ctx").split(".");
    const flipped = Buffer.from(parts[3]!, "base64url");
    flipped[0] = flipped[0]! ^ 1;
    parts[3] = flipped.toString("base64url");
    expect(sealer.open(parts.join("."), "ctx")).toBeNull();
    expect(sealer.open("v1.garbage", "ctx")).toBeNull();
    expect(sealer.open("", "ctx")).toBeNull();
  });

  test("after rotation, the new key seals and the old key still opens old entries", () => {
    const before = new Sealer([oldKey]);
    const sealedBefore = before.seal("ghu_old", "ctx");
    const after = new Sealer([newKey, oldKey]);
    expect(after.open(sealedBefore, "ctx")).toBe("ghu_old");
    const sealedAfter = after.seal("ghu_new", "ctx");
    expect(new Sealer([newKey]).open(sealedAfter, "ctx")).toBe("ghu_new");
    expect(before.open(sealedAfter, "ctx")).toBeNull();
  });

  test("a retired key no longer opens anything", () => {
    const sealed = new Sealer([oldKey]).seal("ghu_old", "ctx");
    expect(new Sealer([newKey]).open(sealed, "ctx")).toBeNull();
  });
});
