// Who is signed in, as the headers a 204 from /auth/check hands the proxy (X-Auth-Request-User,
// -User-Id, -Email, -Groups), built for routes/auth-check.ts. The values come from GitHub (a login, an email) and the rules (group
// names), and one a header cannot carry safely (SPEC §5) — a control character (CR/LF would split
// the header, and node refuses it with a 500), U+2028, anything else outside printable ASCII, or a
// comma (the application may read the header as a list) — makes that header empty, or leaves that
// group out, and is logged once per user and header, never a 500.
import type { Logger } from "pino";
import { groupsOf } from "../auth/access.js";
import type { SignedInRecord } from "../auth/session-record.js";
import type { AccessRules } from "../config/access-rules.js";

/** Printable ASCII without a comma, and not too long for a proxy's header buffer. */
const HEADER_SAFE = /^[\x20-\x2b\x2d-\x7e]{1,320}$/;
/** How many unsafe (user, header) pairs are remembered, so each is logged once, not on every check. */
const MAX_REMEMBERED_UNSAFE = 1024;

export type IdentityHeaders = (record: SignedInRecord, routeRules: AccessRules | null) => [string, string][];

export function identityHeaders(server: AccessRules, logger: Logger): IdentityHeaders {
  const logged = new Set<string>();
  const safe = (record: SignedInRecord, header: string, value: string): boolean => {
    if (HEADER_SAFE.test(value)) return true;
    const seen = `${record.user.id}:${header}`;
    if (!logged.has(seen)) {
      if (logged.size >= MAX_REMEMBERED_UNSAFE) logged.clear();
      logged.add(seen);
      logger.warn(
        { userId: record.user.id, header, length: value.length },
        "a value from GitHub cannot go into this header safely (control, non-ASCII or comma): sent empty",
      );
    }
    return false;
  };
  return (record, routeRules) => {
    const { user, access } = record;
    const groups = groupsOf(access, server, ...(routeRules ? [routeRules] : []));
    return [
      ["X-Auth-Request-User", safe(record, "X-Auth-Request-User", user.login) ? user.login : ""],
      ["X-Auth-Request-User-Id", String(user.id)],
      ["X-Auth-Request-Email", user.email && safe(record, "X-Auth-Request-Email", user.email) ? user.email : ""],
      ["X-Auth-Request-Groups", groups.filter((group) => safe(record, "X-Auth-Request-Groups", group)).join(",")],
    ];
  };
}
