// Comma-separated configuration values.
import { isIP } from "node:net";

export function splitList(text: string | undefined): string[] {
  if (!text) return [];
  return text
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/** An origin as browsers send it in `Origin`: scheme, host and port, nothing else. */
export function isOrigin(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === "http:" || url.protocol === "https:") && url.origin === text;
  } catch {
    return false;
  }
}

/** GitHub logins and organisation names: letters, digits, hyphens (and `_` for managed users). */
export function isGitHubName(text: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9_-]{0,38}$/.test(text);
}

const TRUST_PROXY_KEYWORDS = new Set(["loopback", "linklocal", "uniquelocal"]);

/** Express `trust proxy` values: true/false, a hop count, or addresses/subnets/keywords. */
export function parseTrustProxy(text: string): boolean | number | string[] | null {
  const value = text.trim().toLowerCase();
  if (value === "true") return true;
  if (value === "false" || value === "") return false;
  if (/^\d{1,3}$/.test(value)) return Number(value);
  const entries = splitList(value);
  const valid = entries.every((entry) => {
    if (TRUST_PROXY_KEYWORDS.has(entry)) return true;
    const [address, prefix, ...rest] = entry.split("/");
    if (rest.length > 0 || !address || isIP(address) === 0) return false;
    return prefix === undefined || /^\d{1,3}$/.test(prefix);
  });
  return valid && entries.length > 0 ? entries : null;
}
