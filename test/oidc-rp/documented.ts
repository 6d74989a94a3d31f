// The configurations docs/oidc-provider.md shows, read from the page a reader copies them from, so
// the relying parties these tests run are configured word for word as documented; only what names
// a reader's own deployment (the example hosts, the secret, the tokens) is replaced, and each of
// those must be on the page, so a changed page fails here rather than running something else.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { PROJECT_ROOT } from "../support/process.js";

export const OIDC_DOCUMENTATION = "docs/oidc-provider.md";
/** The example issuer and client secret the page's configurations use. */
export const DOCUMENTED_ISSUER = "https://login.example.com";
export const DOCUMENTED_SECRET = "the-client-secret-of-OIDC_CLIENTS";

/** The one fenced block of `language` on the page that contains `marker`. */
export function documentedBlock(language: string, marker: string): string {
  const page = readFileSync(join(PROJECT_ROOT, OIDC_DOCUMENTATION), "utf8");
  const blocks = [...page.matchAll(new RegExp("```" + language + "\\n([\\s\\S]*?)```", "g"))]
    .map((match) => match[1]!)
    .filter((block) => block.includes(marker));
  if (blocks.length !== 1) throw new Error(`${OIDC_DOCUMENTATION} has ${blocks.length} \`\`\`${language} blocks with "${marker}", not one`);
  return blocks[0]!;
}

/** `text` with each `[from, to]` replaced, every `from` required to be there. */
function substituted(text: string, what: string, replacements: [string, string][]): string {
  return replacements.reduce((result, [from, to]) => {
    if (!result.includes(from)) throw new Error(`the ${what} of ${OIDC_DOCUMENTATION} no longer contains "${from}"`);
    return result.replaceAll(from, to);
  }, text);
}

/**
 * OIDC_SIGNING_KEYS made by the page's own command (`node -e '…' > oidc-signing-keys.json`), run
 * with this Node in an empty folder: the JSON text it wrote.
 */
export function signingKeysFromDocumentedCommand(): string {
  const block = documentedBlock("sh", "generateKeyPairSync");
  const command = block.split("\n").find((line) => line.startsWith("node -e "));
  if (!command) throw new Error(`the key generation block of ${OIDC_DOCUMENTATION} has no "node -e" line`);
  const folder = mkdtempSync(join(tmpdir(), "gls-oidc-key-"));
  try {
    execFileSync("sh", ["-c", command], {
      cwd: folder,
      env: { PATH: `${join(process.execPath, "..")}:${process.env.PATH ?? ""}` },
      stdio: "pipe",
    });
    return readFileSync(join(folder, "oidc-signing-keys.json"), "utf8");
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/**
 * The documented OIDC_CLIENTS entry of `clientId`, with its secret (written "…" on the page) and
 * the example origins replaced.
 */
export function documentedClient(clientId: string, clientSecret: string, replacements: [string, string][] = []): Record<string, unknown> {
  const block = documentedBlock("json", `"client_id": "${clientId}"`);
  const text = substituted(block, `OIDC_CLIENTS entry "${clientId}"`, [
    ['"client_secret": "…"', `"client_secret": ${JSON.stringify(clientSecret)}`],
    ...replacements,
  ]);
  const parsed = JSON.parse(text) as Record<string, unknown> | Record<string, unknown>[];
  const entry = (Array.isArray(parsed) ? parsed : [parsed]).find((client) => client.client_id === clientId);
  if (!entry) throw new Error(`no client "${clientId}" in its block of ${OIDC_DOCUMENTATION}`);
  return entry;
}

/** The documented mod_auth_openidc block, for an issuer and an application at these origins. */
export function documentedApacheSite(values: { issuer: string; application: string; clientSecret: string; passphrase: string }): string {
  return substituted(documentedBlock("apache", "OIDCProviderMetadataURL"), "Apache block", [
    [DOCUMENTED_ISSUER, values.issuer],
    ["https://app.example.com", values.application],
    [DOCUMENTED_SECRET, values.clientSecret],
    ["a-long-random-string-of-your-own", values.passphrase],
  ]);
}

/** The documented kube-apiserver flags, with the issuer a test runs. */
export function documentedApiServerFlags(issuer: string): string {
  return substituted(documentedBlock("sh", "kube-apiserver \\"), "kube-apiserver block", [[DOCUMENTED_ISSUER, issuer]]);
}

/**
 * The documented kubeconfig (kubectl's built-in `oidc` provider) for a cluster at `server` with the
 * CA in `certificateAuthority`, the issuer a test runs, and the tokens to start with.
 */
export function documentedKubeconfig(values: {
  server: string;
  certificateAuthority: string;
  issuer: string;
  clientSecret: string;
  idToken: string;
  refreshToken: string;
}): string {
  const text = substituted(documentedBlock("yaml", "auth-provider:"), "kubeconfig", [
    ["https://kubernetes.example.com:6443", values.server],
    ["/etc/kubernetes/pki/ca.crt", values.certificateAuthority],
    [DOCUMENTED_ISSUER, values.issuer],
    [DOCUMENTED_SECRET, values.clientSecret],
    ["id-token: the-id-token", `id-token: ${values.idToken}`],
    ["refresh-token: the-refresh-token", `refresh-token: ${values.refreshToken}`],
  ]);
  const parsed = parseDocument(text);
  if (parsed.errors.length > 0) throw new Error(`the kubeconfig of ${OIDC_DOCUMENTATION} is not valid YAML: ${parsed.errors[0]!.message}`);
  return text;
}

/** The auth-provider config kubectl keeps in a kubeconfig (it writes refreshed tokens there). */
export function oidcProviderConfigIn(kubeconfig: string): Record<string, string> {
  const parsed = parseDocument(kubeconfig).toJS() as { users?: { user?: { "auth-provider"?: { config?: Record<string, string> } } }[] };
  const config = parsed.users?.[0]?.user?.["auth-provider"]?.config;
  if (!config) throw new Error(`no users[0].user.auth-provider.config in the kubeconfig:\n${kubeconfig}`);
  return config;
}
