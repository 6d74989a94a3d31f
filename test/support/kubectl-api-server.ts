// A stand-in for the Kubernetes API server, as far as kubectl's OIDC authentication reaches it: an
// https server (kubectl hands credentials only to a cluster it reaches over TLS) that believes a
// request only when `Authorization: Bearer` carries an ID token the OIDC issuer signed, checked the
// way kube-apiserver's OIDC authenticator checks it with the `--oidc-*` flags it is given: the
// issuer's discovery and JWKS, `iss`, `aud` holding the client id, the signing algorithm, expiry, and
// the username and groups from the named claims with their prefixes. It records what it decided, so
// a test can say which user and groups a kubectl command reached the cluster as.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from "jose";

/** The `--oidc-*` flags of kube-apiserver this stand-in honours, by name without the dashes. */
export interface ApiServerOidcFlags {
  "oidc-issuer-url": string;
  "oidc-client-id": string;
  "oidc-username-claim"?: string;
  "oidc-username-prefix"?: string;
  "oidc-groups-claim"?: string;
  "oidc-groups-prefix"?: string;
  "oidc-signing-algs"?: string;
}

/** One request as the stand-in decided it. */
export type ApiRequest = { path: string } & ({ user: string; groups: string[] } | { refused: string });

export interface StandInApiServer {
  /** https://127.0.0.1:<port> */
  url: string;
  /** The PEM of its self-signed certificate: what a kubeconfig's `certificate-authority` names. */
  certificateFile: string;
  requests: ApiRequest[];
  close(): Promise<void>;
}

/** The `--oidc-*` flags in a shell block of kube-apiserver flags (`--name=value`, one or more a line). */
export function oidcFlagsIn(block: string): Partial<ApiServerOidcFlags> {
  const flags: Record<string, string> = {};
  for (const match of block.matchAll(/--(oidc-[a-z-]+)=("[^"]*"|'[^']*'|\S+)/g)) flags[match[1]!] = match[2]!.replace(/^["']|["']$/g, "");
  return flags as Partial<ApiServerOidcFlags>;
}

/**
 * A self-signed certificate for 127.0.0.1 made with the openssl command (Node cannot make X.509
 * certificates by itself), in a fresh folder; `remove` deletes it.
 */
export function selfSignedCertificate(): { keyFile: string; certificateFile: string; remove(): void } {
  const folder = mkdtempSync(join(tmpdir(), "gls-kube-tls-"));
  const keyFile = join(folder, "key.pem");
  const certificateFile = join(folder, "certificate.pem");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      keyFile,
      "-out",
      certificateFile,
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
    ],
    { stdio: "pipe" },
  );
  return { keyFile, certificateFile, remove: () => rmSync(folder, { recursive: true, force: true }) };
}

/** What kube-apiserver answers a request it could not authenticate. */
const UNAUTHORIZED = {
  kind: "Status",
  apiVersion: "v1",
  metadata: {},
  status: "Failure",
  message: "Unauthorized",
  reason: "Unauthorized",
  code: 401,
};

/** The few discovery answers `kubectl get --raw` and `kubectl version` ask for. */
const ANSWERS: Record<string, unknown> = {
  "/version": { major: "1", minor: "32", gitVersion: "v1.32.0-stand-in", platform: "linux/amd64" },
  "/api": { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: "127.0.0.1" }] },
};

export async function startStandInApiServer(flags: ApiServerOidcFlags): Promise<StandInApiServer> {
  const tls = selfSignedCertificate();
  const discovery = (await (await fetch(`${flags["oidc-issuer-url"].replace(/\/$/, "")}/.well-known/openid-configuration`)).json()) as {
    issuer: string;
    jwks_uri: string;
  };
  if (discovery.issuer !== flags["oidc-issuer-url"])
    throw new Error(`the discovery document's issuer ${discovery.issuer} is not --oidc-issuer-url ${flags["oidc-issuer-url"]}`);
  const keys = createRemoteJWKSet(new URL(discovery.jwks_uri));
  const requests: ApiRequest[] = [];
  const server: Server = createServer({ key: readFileSync(tls.keyFile), cert: readFileSync(tls.certificateFile) }, (request, response) => {
    const path = new URL(request.url ?? "/", "https://127.0.0.1").pathname;
    void authenticate(request.headers.authorization, flags, keys).then((decided) => {
      requests.push({ path, ...decided });
      const known = ANSWERS[path];
      const [status, body] =
        "refused" in decided
          ? [401, UNAUTHORIZED]
          : known
            ? [200, known]
            : [404, { ...UNAUTHORIZED, message: "not found", reason: "NotFound", code: 404 }];
      response.writeHead(status, { "Content-Type": "application/json" });
      response.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    certificateFile: tls.certificateFile,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      tls.remove();
    },
  };
}

/** The user and groups a bearer ID token stands for, or why it is refused. */
async function authenticate(
  authorization: string | undefined,
  flags: ApiServerOidcFlags,
  keys: ReturnType<typeof createRemoteJWKSet>,
): Promise<{ user: string; groups: string[] } | { refused: string }> {
  const token = /^Bearer (\S+)$/.exec(authorization ?? "")?.[1];
  if (!token) return { refused: "no bearer token" };
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, keys, {
      issuer: flags["oidc-issuer-url"],
      audience: flags["oidc-client-id"],
      algorithms: (flags["oidc-signing-algs"] ?? "RS256").split(","),
    }));
  } catch (error) {
    return { refused: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
  const usernameClaim = flags["oidc-username-claim"] ?? "sub";
  const username = payload[usernameClaim];
  if (typeof username !== "string" || username === "") return { refused: `no ${usernameClaim} claim` };
  // kube-apiserver's default prefix for a claim other than email is the issuer and '#'.
  const usernamePrefix = flags["oidc-username-prefix"] ?? (usernameClaim === "email" ? "" : `${flags["oidc-issuer-url"]}#`);
  const claimed = flags["oidc-groups-claim"] ? payload[flags["oidc-groups-claim"]] : undefined;
  const groups = Array.isArray(claimed) ? claimed.map(String) : typeof claimed === "string" ? [claimed] : [];
  return {
    user: `${usernamePrefix === "-" ? "" : usernamePrefix}${username}`,
    groups: groups.map((group) => `${flags["oidc-groups-prefix"] ?? ""}${group}`),
  };
}
