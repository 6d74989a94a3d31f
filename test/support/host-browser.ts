// A browser for tests with several hosts in front of one app (SPEC §6): it sends each request to
// the app with the URL's host as `Host` (supertest, no DNS needed) and keeps cookies per host, as a
// browser's host-only cookies are kept. Redirects are not followed: tests walk them and check each.
import request, { type Response } from "supertest";
import { setCookies } from "./cookies.js";
import type { App } from "./stack.js";

export class HostBrowser {
  constructor(
    private readonly app: App,
    /** host → cookie name → value (shared by the views through() gives) */
    readonly jars = new Map<string, Map<string, string>>(),
  ) {}

  /** The same browser (the same cookies) talking to another instance of the server. */
  through(app: App): HostBrowser {
    return new HostBrowser(app, this.jars);
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<Response> {
    return this.send("GET", url, headers);
  }

  async post(url: string, headers: Record<string, string> = {}): Promise<Response> {
    return this.send("POST", url, headers);
  }

  /** The value of a cookie this browser holds for `host`. */
  cookie(host: string, name: string): string | undefined {
    return this.jars.get(host)?.get(name);
  }

  /** Sets a cookie for `host` as if the host had set it (a copied or planted cookie). */
  plant(host: string, name: string, value: string): void {
    this.jarOf(host).set(name, value);
  }

  private async send(method: "GET" | "POST", url: string, headers: Record<string, string>): Promise<Response> {
    const { host, pathname, search } = new URL(url);
    const jar = this.jarOf(host);
    const pending = method === "GET" ? request(this.app).get(`${pathname}${search}`) : request(this.app).post(`${pathname}${search}`);
    pending.set("Host", host);
    if (jar.size > 0) pending.set("Cookie", [...jar].map(([name, value]) => `${name}=${value}`).join("; "));
    for (const [name, value] of Object.entries(headers)) pending.set(name, value);
    const response = await pending;
    for (const header of setCookies(response)) this.keep(jar, header);
    return response;
  }

  private keep(jar: Map<string, string>, header: string): void {
    const [pair, ...attributes] = header.split(";").map((part) => part.trim());
    const name = pair!.slice(0, pair!.indexOf("="));
    const removed = attributes.some(
      (attribute) => /^max-age=0$/i.test(attribute) || (/^expires=/i.test(attribute) && Date.parse(attribute.slice(8)) <= Date.now()),
    );
    if (removed) jar.delete(name);
    else jar.set(name, pair!.slice(name.length + 1));
  }

  private jarOf(host: string): Map<string, string> {
    let jar = this.jars.get(host);
    if (!jar) this.jars.set(host, (jar = new Map()));
    return jar;
  }
}
