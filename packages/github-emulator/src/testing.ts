// For tests that use the emulator as their GitHub (`@github-login-server/github-emulator/testing`):
// run it on a free loopback port, and click through its consent page the way a browser would (GET
// the page, submit its form, read the redirect). Plain HTTP and fetch: no test framework needed.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createEmulator } from "./index.js";
import type { Emulator, EmulatorOptions } from "./types.js";

export interface RunningEmulator {
  emulator: Emulator;
  /** http://127.0.0.1:PORT */
  url: string;
  close(): Promise<void>;
}

export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const emulator = createEmulator(options);
  const server = createServer(emulator.app);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    emulator,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive sockets (fetch keeps them open) would otherwise hold close() up.
        server.closeAllConnections();
      }),
  };
}

/**
 * Opens the consent page at `authorizeUrl` (it must answer 200), submits its form with the chosen
 * account (default: the preselected one) and decision (default: authorize), and returns the URL the
 * emulator redirects to: the callback with code & state, or with error & state.
 */
export async function approveAtEmulator(
  authorizeUrl: string,
  choice: { login?: string; decision?: "authorize" | "cancel" } = {},
): Promise<URL> {
  const page = await fetch(authorizeUrl, { redirect: "manual" });
  const html = await page.text();
  if (page.status !== 200) {
    const location = page.headers.get("location");
    throw new Error(
      `approveAtEmulator: GET ${authorizeUrl} answered ${page.status}${location ? ` (Location: ${location})` : ""}, not the consent page: ${html.slice(0, 300)}`,
    );
  }
  const form = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) throw new Error(`approveAtEmulator: the page at ${authorizeUrl} has no form`);
  const action = attributesOf(form[1] ?? "").action ?? "";
  const inputs = [...(form[2] ?? "").matchAll(/<input\b([^>]*)>/gi)].map((match) => attributesOf(match[1] ?? ""));
  const accounts = inputs.filter((input) => input.type === "radio" && input.name === "login");
  const login = choice.login ?? accounts.find((input) => "checked" in input)?.value ?? accounts[0]?.value;
  if (!login || !accounts.some((input) => input.value === login)) {
    throw new Error(
      `approveAtEmulator: no account "${login}" on the consent page (offered: ${accounts.map((input) => input.value).join(", ")})`,
    );
  }

  const body = new URLSearchParams();
  for (const input of inputs) if (input.type === "hidden" && input.name) body.append(input.name, input.value ?? "");
  body.append("login", login);
  body.append("decision", choice.decision ?? "authorize");
  const target = new URL(action, authorizeUrl);
  const answer = await fetch(target, { method: "POST", body, redirect: "manual" });
  const location = answer.headers.get("location");
  if (answer.status !== 302 || !location) {
    throw new Error(
      `approveAtEmulator: POST ${target} answered ${answer.status} without a redirect: ${(await answer.text()).slice(0, 300)}`,
    );
  }
  return new URL(location, target);
}

function attributesOf(tag: string): Record<string, string | undefined> {
  const attributes: Record<string, string | undefined> = {};
  for (const match of tag.matchAll(/([^\s"'=<>/]+)(?:\s*=\s*"([^"]*)")?/g)) {
    const name = match[1];
    if (name) attributes[name.toLowerCase()] = match[2] === undefined ? "" : decodeEntities(match[2]);
  }
  return attributes;
}

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_entity, name: string) => {
    const named: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
    if (name[0] !== "#") return named[name.toLowerCase()] ?? "";
    return String.fromCodePoint(name[1] === "x" || name[1] === "X" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10));
  });
}
