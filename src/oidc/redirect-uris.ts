// Which redirect URIs a client may name (RFC 9700 §4.1, RFC 8252 §7.3): exactly a registered one,
// character for character (no case folding, no trailing-slash or default-port equivalence, no user
// information, no fragment), with one exception: a loopback URI registered without a port
// (`http://127.0.0.1/callback`, `http://[::1]/cb`, `http://localhost`) accepts any port, because a
// native program listens wherever the system gives it a port. Nothing else is loosened: a
// registered port is exact, and only plain http on a loopback name qualifies.
import { LOOPBACK_HOSTNAMES } from "../config/oidc-config.js";

/** `http://<loopback host>:<port><rest>`, split; the port is 1-5 digits, the rest starts with /, ? or nothing. */
const LOOPBACK_WITH_PORT = /^http:\/\/(127\.0\.0\.1|\[::1\]|localhost):(\d{1,5})([/?].*)?$/s;

export function redirectUriAllowed(requested: unknown, registered: readonly string[]): boolean {
  if (typeof requested !== "string") return false;
  if (registered.includes(requested)) return true;
  const parts = LOOPBACK_WITH_PORT.exec(requested);
  if (!parts) return false;
  const port = Number(parts[2]);
  if (port < 1 || port > 65535 || parts[2]!.startsWith("0")) return false;
  const withoutPort = `http://${parts[1]}${parts[3] ?? ""}`;
  return registered.some((uri) => uri === withoutPort && isLoopbackWithoutPort(uri));
}

function isLoopbackWithoutPort(uri: string): boolean {
  const url = URL.parse(uri);
  return (
    url !== null &&
    url.protocol === "http:" &&
    url.port === "" &&
    LOOPBACK_HOSTNAMES.has(url.hostname) &&
    url.username === "" &&
    url.password === ""
  );
}
