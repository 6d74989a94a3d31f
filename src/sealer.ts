// Seals secrets that leave this process: GitHub tokens before they reach Redis, and sign-in
// attempts before they go into a cookie. AES-256-GCM, so a Redis dump, a copied cookie or a
// tampered entry yields nothing usable. Each sealed value names its key by id, so after a key rotation
// (new key first in TOKEN_ENCRYPTION_KEY) entries sealed under an older key still open.
// The context (e.g. "tokens:<user id>") is bound as associated data: a sealed value copied into
// another user's session fails to open.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

const FORMAT_VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

interface KeyEntry {
  id: string;
  key: Buffer;
}

export class Sealer {
  private readonly keys: KeyEntry[];

  constructor(keys: Buffer[]) {
    if (keys.length === 0 || keys.some((key) => key.length !== 32)) {
      throw new Error("Sealer needs one or more 32-byte keys");
    }
    this.keys = keys.map((key) => ({ id: keyId(key), key }));
  }

  seal(plaintext: string, context: string): string {
    const { id, key } = this.keys[0]!;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", key, iv);
    cipher.setAAD(Buffer.from(context));
    const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [FORMAT_VERSION, id, iv.toString("base64url"), ciphertext.toString("base64url"), tag.toString("base64url")].join(".");
  }

  /** What was sealed as JSON, or null when it does not open or is not JSON. */
  openJson(sealed: string, context: string): unknown {
    const plaintext = this.open(sealed, context);
    if (plaintext === null) return null;
    try {
      return JSON.parse(plaintext) as unknown;
    } catch {
      return null;
    }
  }

  /** The plaintext, or null when the value is malformed, tampered with, or sealed under an unknown key. */
  open(sealed: string, context: string): string | null {
    const [version, id, iv, ciphertext, tag, ...rest] = sealed.split(".");
    if (version !== FORMAT_VERSION || rest.length > 0 || !iv || ciphertext === undefined || !tag) return null;
    const entry = this.keys.find((candidate) => candidate.id === id);
    if (!entry) return null;
    try {
      const decipher = createDecipheriv("aes-256-gcm", entry.key, Buffer.from(iv, "base64url"), { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(Buffer.from(tag, "base64url"));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString("utf8");
    } catch {
      return null;
    }
  }
}

/** A short public name for a key: lets us pick the right key without trying each one. */
function keyId(key: Buffer): string {
  return createHash("sha256").update("gls-token-key-id\0").update(key).digest("base64url").slice(0, 8);
}
