// The pages are rendered by eta with autoEscape on and served under a strict CSP (no inline
// styles or scripts). These tests render every template the way the server does and check that
// data is escaped, that nothing inline would be blocked by the CSP, and that each page keeps its
// contract (sign-in is a GET link, sign-out a POST form, the demo banner only in demo mode). The
// tone of an error page is also checked as the server sends it, through the real sign-in callback.
import { Eta } from "eta";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import request from "supertest";
import { finishSignIn, startSignIn } from "./support/sign-in.js";
import { startTestStack, type TestStack } from "./support/stack.js";

const viewsDir = fileURLToPath(new URL("../views/", import.meta.url));
const eta = new Eta({ views: viewsDir, autoEscape: true });

const DEMO_BANNER_TEXT = "Demo mode — sign-in uses the built-in GitHub emulator";
const IN_MEMORY_TEXT = "and sessions live in this process's memory. Do not use in production.";
const HOSTILE = `<script>alert(1)</script>`;
const HOSTILE_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;";

type Common = { title: string; demoMode: boolean; sessionsInMemory?: boolean; assetsPath: string };
type User = {
  login: string;
  name: string | null;
  avatarUrl: string;
  htmlUrl: string;
  email: string | null;
  company: string | null;
  location: string | null;
  bio: string | null;
};

function common(overrides: Partial<Common> = {}): Common {
  return { title: "Sign in", demoMode: false, sessionsInMemory: true, assetsPath: "/auth/assets", ...overrides };
}

function octocat(overrides: Partial<User> = {}): User {
  return {
    login: "octocat",
    name: "The Octocat",
    avatarUrl: "https://avatars.githubusercontent.com/u/583231?v=4",
    htmlUrl: "https://github.com/octocat",
    email: "octocat@github.com",
    company: "@github",
    location: "San Francisco",
    bio: "There once was…",
    ...overrides,
  };
}

function renderHome(overrides: Partial<Common> = {}): string {
  return eta.render("home", { ...common(overrides), signInUrl: "/auth/github" });
}

function renderProfile(user: Partial<User> = {}, overrides: Partial<Common> = {}): string {
  return eta.render("profile", { ...common({ title: "Your profile", ...overrides }), user: octocat(user), logoutAction: "/auth/logout" });
}

type ErrorPage = {
  status: number;
  tone: "notice" | "error";
  heading: string;
  message: string;
  retryUrl: string;
  retryLabel: string;
  homeUrl?: string;
};

function renderError(page: Partial<ErrorPage> = {}, overrides: Partial<Common> = {}): string {
  const data: ErrorPage = {
    status: 400,
    tone: "error",
    heading: "Sign-in link expired or invalid",
    message: "This sign-in link is not valid here. Please start again.",
    retryUrl: "/auth/github",
    retryLabel: "Try signing in again",
    homeUrl: "/",
    ...page,
  };
  return eta.render("error", { ...common({ title: data.heading, ...overrides }), ...data });
}

/** What the error handler passes for a sign-in the visitor cancelled on GitHub. */
function renderCancelled(overrides: Partial<Common> = {}): string {
  return renderError(
    {
      status: 401,
      tone: "notice",
      heading: "Sign-in cancelled",
      message: "You cancelled signing in with GitHub, so nothing was shared with this site.",
      retryLabel: "Sign in with GitHub",
    },
    overrides,
  );
}

type Session = {
  id: string;
  current: boolean;
  kind: "browser" | "device";
  createdAt: string;
  lastSeenAt: string;
  userAgent: string | null;
  host: string;
};

/** The moment the sessions page is rendered at, in the tests. */
const NOW = Date.parse("2026-12-07T16:42:37.000Z");
const before = (seconds: number) => new Date(NOW - seconds * 1000).toISOString();
const MAC_CHROME = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";
const ANDROID_FIREFOX = "Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0";

const SESSIONS: Session[] = [
  {
    id: "aaaaaaaaaaaaaaaaaaaaaa",
    current: true,
    kind: "browser",
    createdAt: before(180),
    lastSeenAt: before(20),
    userAgent: MAC_CHROME,
    host: "login.example",
  },
  {
    id: "bbbbbbbbbbbbbbbbbbbbbb",
    current: false,
    kind: "browser",
    createdAt: before(3 * 86_400),
    lastSeenAt: before(25 * 3600),
    userAgent: ANDROID_FIREFOX,
    host: "app.example",
  },
  {
    id: "cccccccccccccccccccccc",
    current: false,
    kind: "device",
    createdAt: before(65 * 86_400),
    lastSeenAt: before(5 * 3600 + 59),
    userAgent: null,
    host: "login.example",
  },
];

function renderSessions(sessions: Session[], overrides: Partial<Common> = {}, now: number | string = NOW): string {
  return eta.render("sessions", { ...common({ title: "Your sessions", ...overrides }), user: { login: "octocat" }, sessions, now });
}

/** Every page the server renders, in both modes. */
function everyPage(): Array<[string, string]> {
  const pages: Array<[string, string]> = [];
  for (const demoMode of [false, true]) {
    pages.push([`home (demo ${demoMode})`, renderHome({ demoMode })]);
    pages.push([`profile (demo ${demoMode})`, renderProfile({}, { demoMode })]);
    pages.push([
      `profile without optional fields (demo ${demoMode})`,
      renderProfile({ name: null, email: null, company: null, location: null, bio: null }, { demoMode }),
    ]);
    pages.push([`error (demo ${demoMode})`, renderError({}, { demoMode })]);
    pages.push([`notice (demo ${demoMode})`, renderCancelled({ demoMode })]);
    pages.push([`sessions (demo ${demoMode})`, renderSessions(SESSIONS, { demoMode })]);
  }
  return pages;
}

/** The opening tags of every element with this name. */
function tags(html: string, name: string): string[] {
  return html.match(new RegExp(`<${name}\\b[^>]*>`, "gi")) ?? [];
}

function attribute(tag: string, name: string): string | undefined {
  return new RegExp(`\\s${name}="([^"]*)"`, "i").exec(tag)?.[1];
}

/** The text between <tag …> and its closing tag, for the first element whose opening tag matches. */
function elementText(html: string, openingTag: RegExp): string {
  const start = html.search(openingTag);
  expect(start).toBeGreaterThanOrEqual(0);
  const rest = html.slice(start);
  const name = /^<([a-z0-9]+)/i.exec(rest)?.[1] ?? "";
  const inner = rest.slice(rest.indexOf(">") + 1, rest.search(new RegExp(`</${name}>`, "i")));
  return inner
    .replace(/<[^>]*>/g, "")
    .replace(/\s+/g, " ")
    .trim();
}

/** What a reader sees: the markup without its tags, runs of white space as one space. */
function textOf(html: string): string {
  return html.replace(/<[^>]*>/g, "").replace(/\s+/g, " ");
}

/** The page's <main> element, without the layout's header and footer links. */
function mainOf(html: string): string {
  return html.slice(html.search(/<main\b/), html.search(/<\/main>/));
}

/**
 * Attribute values are always double-quoted, and escaped data never holds a bare `"`, so blanking
 * the quoted values leaves the markup itself: what is left must have no style attribute and no
 * event handler. (An escaped `onerror=&quot;…` inside a value is inert text and is blanked.)
 */
function expectNothingInlineTheCspWouldBlock(html: string): void {
  const markup = html.replace(/"[^"]*"/g, '""');
  expect(markup).not.toMatch(/\sstyle\s*=/i);
  expect(markup).not.toMatch(/\son[a-z]+\s*=/i);
  expect(html).not.toMatch(/<style\b/i);
  expect(html).not.toMatch(/<script\b/i);
  expect(html).not.toMatch(/javascript:/i);
}

describe("every page", () => {
  it.each(everyPage())("%s has nothing inline that the CSP would block", (_name, html) => {
    expectNothingInlineTheCspWouldBlock(html);
  });

  it.each(everyPage())("%s is an accessible HTML5 document with the shared layout", (_name, html) => {
    expect(html.trimStart().toLowerCase().startsWith("<!doctype html>")).toBe(true);
    expect(html).toMatch(/<html lang="en">/);
    expect(html).toMatch(/<meta name="viewport" content="width=device-width, initial-scale=1">/);
    expect(html).toContain('<link rel="stylesheet" href="/auth/assets/style.css">');
    for (const landmark of ["header", "main", "footer"]) expect(tags(html, landmark)).toHaveLength(1);
    expect(tags(html, "h1")).toHaveLength(1);
    for (const svg of tags(html, "svg")) expect(attribute(svg, "aria-hidden")).toBe("true");
  });

  it.each(everyPage())("%s loads nothing from another origin", (_name, html) => {
    const sources = [...tags(html, "link"), ...tags(html, "script"), ...tags(html, "iframe")].map(
      (tag) => attribute(tag, "href") ?? attribute(tag, "src") ?? "",
    );
    for (const source of sources) expect(source).toMatch(/^\/(?!\/)/);
  });

  it("shows the demo banner only in demo mode", () => {
    for (const [name, html] of everyPage()) {
      const inDemoMode = name.includes("demo true");
      expect(textOf(html).includes(DEMO_BANNER_TEXT)).toBe(inDemoMode);
      expect(html.includes("data-demo-banner")).toBe(inDemoMode);
    }
  });

  test("the demo banner says sessions live in memory only when they do (no Redis)", () => {
    expect(textOf(renderHome({ demoMode: true, sessionsInMemory: true }))).toContain(IN_MEMORY_TEXT);
    const withRedis = renderHome({ demoMode: true, sessionsInMemory: false });
    expect(textOf(withRedis)).toContain(DEMO_BANNER_TEXT);
    expect(withRedis).not.toContain("memory");
  });

  it("takes the stylesheet prefix from assetsPath", () => {
    expect(renderHome({ assetsPath: "/static" })).toContain('href="/static/style.css"');
  });

  it("escapes the title", () => {
    const html = renderHome({ title: HOSTILE });
    expect(html).toContain(`<title>${HOSTILE_ESCAPED}`);
    expectNothingInlineTheCspWouldBlock(html);
  });
});

describe("home page (signed out)", () => {
  it("offers Sign in with GitHub as a plain GET link, not a form", () => {
    const html = renderHome();
    const signIn = tags(html, "a").filter((tag) => attribute(tag, "href") === "/auth/github");
    expect(signIn).toHaveLength(1);
    expect(elementText(html, /<a [^>]*href="\/auth\/github"/)).toBe("Sign in with GitHub");
    expect(tags(html, "form")).toHaveLength(0);
  });

  it("escapes the sign-in URL", () => {
    const html = eta.render("home", { ...common(), signInUrl: `/auth/github?returnTo="><script>` });
    expect(html).toContain('href="/auth/github?returnTo=&quot;&gt;&lt;script&gt;"');
    expectNothingInlineTheCspWouldBlock(html);
  });
});

describe("profile page (signed in)", () => {
  it("shows the avatar with alt text and a fixed size, the name and @login linking to GitHub", () => {
    const html = renderProfile();
    const [avatar, ...otherImages] = tags(html, "img");
    expect(otherImages).toHaveLength(0);
    expect(attribute(avatar ?? "", "src")).toBe("https://avatars.githubusercontent.com/u/583231?v=4");
    expect(attribute(avatar ?? "", "alt")).toBe("Avatar of octocat");
    expect(attribute(avatar ?? "", "width")).toBe("96");
    expect(attribute(avatar ?? "", "height")).toBe("96");
    expect(elementText(html, /<h1\b/)).toBe("The Octocat");
    expect(elementText(html, /<a [^>]*href="https:\/\/github.com\/octocat"/)).toBe("@octocat on GitHub");
  });

  it("shows the optional fields when present", () => {
    const html = renderProfile();
    for (const text of ["octocat@github.com", "@github", "San Francisco", "There once was…"]) expect(html).toContain(text);
  });

  it("falls back to the login when the name is null, and leaves out missing fields", () => {
    const html = renderProfile({ name: null, email: null, company: null, location: null, bio: null });
    expect(elementText(html, /<h1\b/)).toBe("octocat");
    expect(html).not.toContain("null");
    expect(html).not.toMatch(/<dt>/);
    expect(html).not.toContain("profile__bio");
  });

  it("escapes every user field", () => {
    const html = renderProfile({
      login: HOSTILE,
      name: HOSTILE,
      email: HOSTILE,
      company: HOSTILE,
      location: HOSTILE,
      bio: HOSTILE,
      avatarUrl: `https://avatars.example/" onerror="alert(1)`,
    });
    expectNothingInlineTheCspWouldBlock(html);
    expect(elementText(html, /<h1\b/)).toBe(HOSTILE_ESCAPED);
    expect(html.split(HOSTILE_ESCAPED).length - 1).toBeGreaterThanOrEqual(7);
    expect(html).toContain('src="https://avatars.example/&quot; onerror=&quot;alert(1)"');
  });

  it("does not turn a non-http(s) profile URL into a link", () => {
    const html = renderProfile({ htmlUrl: "javascript:alert(1)" });
    expect(html).not.toContain("javascript:");
    expect(html).toContain("@octocat");
  });

  it("shows a placeholder instead of an image when there is no usable avatar URL", () => {
    for (const avatarUrl of ["", "javascript:alert(1)", "//evil.example/a.png"]) {
      const html = renderProfile({ avatarUrl });
      expect(tags(html, "img")).toHaveLength(0);
      expect(html).toMatch(/<span class="avatar avatar--placeholder" aria-hidden="true">O<\/span>/);
      expectNothingInlineTheCspWouldBlock(html);
    }
  });

  it("treats a blank name like a missing one", () => {
    expect(elementText(renderProfile({ name: "  " }), /<h1\b/)).toBe("octocat");
  });

  it("signs out with a POST form to logoutAction", () => {
    const html = renderProfile();
    const forms = tags(html, "form");
    expect(forms).toHaveLength(1);
    expect(attribute(forms[0] ?? "", "method")).toBe("post");
    expect(attribute(forms[0] ?? "", "action")).toBe("/auth/logout");
    const form = html.slice(html.search(/<form\b/), html.search(/<\/form>/));
    expect(form).toMatch(/<button type="submit"[^>]*>Sign out<\/button>/);
  });
});

describe("error page", () => {
  it("shows the status, heading, message and a retry link", () => {
    const html = renderError();
    expect(elementText(html, /<h1\b/)).toBe("Sign-in link expired or invalid");
    expect(html).toContain("This sign-in link is not valid here. Please start again.");
    expect(elementText(mainOf(html), /<p class="eyebrow"/)).toBe("Error 400");
    expect(html).toContain('class="card message message--error"');
    expect(tags(mainOf(html), "a").map((tag) => attribute(tag, "href"))).toEqual(["/auth/github", "/"]);
    expect(elementText(mainOf(html), /<a\b/)).toBe("Try signing in again");
  });

  it("tells an outcome the visitor chose as a calm notice: no error badge, no error look", () => {
    const html = renderCancelled();
    expect(elementText(html, /<h1\b/)).toBe("Sign-in cancelled");
    expect(html).toContain("You cancelled signing in with GitHub, so nothing was shared with this site.");
    expect(mainOf(html)).not.toMatch(/Error|401|eyebrow/);
    expect(html).not.toContain("message--error");
    expect(html).toContain('class="card message message--notice"');
    expect(tags(mainOf(html), "a").map((tag) => attribute(tag, "href"))).toEqual(["/auth/github", "/"]);
    expect(elementText(mainOf(html), /<a\b/)).toBe("Sign in with GitHub");
  });

  it("looks like an error unless it is told it is a notice", () => {
    const withoutTone = { status: 500, heading: "Something went wrong", message: "Oops.", retryUrl: "/", retryLabel: "Go home" };
    const html = eta.render("error", { ...common(), ...withoutTone });
    expect(html).toContain("message--error");
    expect(html).toContain("Error 500");
  });

  it.each([
    [400, "Sign-in link expired", "/auth/github", "Try signing in again"],
    [403, "Not allowed", "/", "Back to the home page"],
    [404, "Page not found", "/", "Go to the home page"],
    [502, "GitHub is unavailable", "/auth/github", "Try signing in again"],
    [503, "Sessions are unavailable", "/", "Try again"],
  ])("renders a %i page", (status, heading, retryUrl, retryLabel) => {
    const html = renderError({ status, heading, message: "What happened.", retryUrl, retryLabel });
    expect(elementText(html, /<h1\b/)).toBe(heading);
    expect(html).toContain(`Error ${status}`);
    expect(html).toContain("message--error");
    const [retryLink] = tags(mainOf(html), "a");
    expect(attribute(retryLink ?? "", "href")).toBe(retryUrl);
    expect(elementText(mainOf(html), /<a\b/)).toBe(retryLabel);
    expectNothingInlineTheCspWouldBlock(html);
  });

  it("does not repeat the home link when retrying goes home anyway, and works without homeUrl", () => {
    const sameAsRetry = renderError({ retryUrl: "/", retryLabel: "Back to the home page", homeUrl: "/" });
    expect(tags(mainOf(sameAsRetry), "a").map((tag) => attribute(tag, "href"))).toEqual(["/"]);
    const withoutHome = {
      status: 400,
      heading: "Bad request",
      message: "The request was malformed.",
      retryUrl: "/",
      retryLabel: "Go home",
    };
    const html = eta.render("error", { ...common(), ...withoutHome });
    expect(elementText(html, /<h1\b/)).toBe("Bad request");
    expect(tags(mainOf(html), "a").map((tag) => attribute(tag, "href"))).toEqual(["/"]);
  });

  it("escapes heading, message and retry link", () => {
    const html = renderError({ heading: HOSTILE, message: HOSTILE, retryLabel: HOSTILE, retryUrl: `/"><script>` });
    expectNothingInlineTheCspWouldBlock(html);
    expect(elementText(html, /<h1\b/)).toBe(HOSTILE_ESCAPED);
    expect(html).toContain('href="/&quot;&gt;&lt;script&gt;"');
  });
});

describe("sessions page", () => {
  /** The rendered row of one session, as a reader sees it. */
  const row = (html: string, id: string) => {
    const start = html.indexOf(`data-session="${id}"`);
    expect(start).toBeGreaterThan(0);
    return html.slice(start, html.indexOf("</li>", start));
  };

  it("says when relative to the moment it is rendered, with the exact time in a <time> element", () => {
    const html = renderSessions(SESSIONS);
    expect(textOf(row(html, "aaaaaaaaaaaaaaaaaaaaaa"))).toContain("Signed in 3 minutes ago · last seen just now");
    expect(textOf(row(html, "bbbbbbbbbbbbbbbbbbbbbb"))).toContain("Signed in 3 days ago · last seen yesterday");
    expect(textOf(row(html, "cccccccccccccccccccccc"))).toContain("Signed in 2 months ago · last seen 5 hours ago");
    expect(html).toContain(`<time datetime="${before(180)}" title="2026-12-07 16:39:37 UTC">3 minutes ago</time>`);
    expect(html).toContain(`<time datetime="${before(25 * 3600)}" title="2026-12-06 15:42:37 UTC">yesterday</time>`);
    // The exact time is there for whoever asks (the title), not in the text.
    expect(textOf(mainOf(html))).not.toMatch(/\d{4}-\d\d-\d\d|UTC|seen about/);
  });

  it("takes now as an ISO string too; a moment ahead of it (clock skew) reads as just now", () => {
    const html = renderSessions([{ ...SESSIONS[0]!, createdAt: before(-30), lastSeenAt: before(-30) }], {}, new Date(NOW).toISOString());
    expect(textOf(row(html, "aaaaaaaaaaaaaaaaaaaaaa"))).toContain("Signed in just now · last seen just now");
  });

  it("counts from the moment of rendering when no now is given", () => {
    const recent = new Date(Date.now() - 2 * 3600_000 - 5000).toISOString();
    const html = eta.render("sessions", {
      ...common(),
      user: { login: "octocat" },
      sessions: [{ ...SESSIONS[0]!, createdAt: recent, lastSeenAt: recent }],
    });
    expect(textOf(html)).toContain("Signed in 2 hours ago · last seen 2 hours ago");
  });

  it("each button says what it does: Sign out on this session, End session (naming which) on the others", () => {
    const html = renderSessions(SESSIONS);
    const buttonOf = (id: string) => elementText(row(html, id), /<button\b/);
    expect(buttonOf("aaaaaaaaaaaaaaaaaaaaaa")).toBe("Sign out");
    expect(buttonOf("bbbbbbbbbbbbbbbbbbbbbb")).toBe("End session on Firefox on Android, signed in 3 days ago");
    expect(buttonOf("cccccccccccccccccccccc")).toBe("End session on Unknown browser, signed in 2 months ago");
    expect(row(html, "bbbbbbbbbbbbbbbbbbbbbb")).toMatch(/>End session<span class="visually-hidden">/);
    expect(html).not.toContain("Sign out this session");
    expect(elementText(html, /<form method="post" action="\/sessions\/end-others"/)).toBe("Sign out all other sessions");
    for (const session of SESSIONS) expect(row(html, session.id)).toContain(`action="/sessions/${session.id}/end"`);
  });

  it("marks only the current session, with the This session badge", () => {
    const html = renderSessions(SESSIONS);
    expect(tags(html, "li").filter((tag) => attribute(tag, "class") === "session session--current")).toHaveLength(1);
    expect(row(html, "aaaaaaaaaaaaaaaaaaaaaa")).toContain('<span class="badge">This session</span>');
    expect(html.split('class="badge"')).toHaveLength(2);
  });

  it("offers no end-others button when this is the only session", () => {
    const html = renderSessions([SESSIONS[0]!]);
    expect(html).not.toContain("/sessions/end-others");
  });

  it("escapes what the browser and the proxy sent", () => {
    const html = renderSessions([{ ...SESSIONS[1]!, userAgent: HOSTILE, host: HOSTILE }]);
    expectNothingInlineTheCspWouldBlock(html);
    expect(html).toContain(HOSTILE_ESCAPED);
  });
});

/** The custom properties of the stylesheet's light (base) :root and of its dark :root. */
function schemes(css: string): { light: Map<string, string>; dark: Map<string, string> } {
  const properties = (block: string | undefined) => {
    expect(block).toBeDefined();
    return new Map([...(block ?? "").matchAll(/(--[a-z0-9-]+):\s*([^;]+);/g)].map(([, name, value]) => [name!, value!.trim()] as const));
  };
  return {
    light: properties(/^:root \{([^}]*)\}/m.exec(css)?.[1]),
    dark: properties(/@media \(prefers-color-scheme: dark\) \{\s*:root \{([^}]*)\}/.exec(css)?.[1]),
  };
}

/** WCAG 2 contrast ratio of two #rrggbb colours. */
function contrast(first: string, second: string): number {
  const luminance = (hex: string) => {
    expect(hex).toMatch(/^#[0-9a-f]{6}$/i);
    const [r, g, b] = [1, 3, 5]
      .map((at) => parseInt(hex.slice(at, at + 2), 16) / 255)
      .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
  };
  const [lighter, darker] = [luminance(first), luminance(second)].sort((a, b) => b - a);
  return (lighter! + 0.05) / (darker! + 0.05);
}

/** The declarations of a top-level rule whose selector list is exactly `selector`. */
function declarationsOf(css: string, selector: string): string {
  return new RegExp(`^${selector.replace(/[.*()]/g, "\\$&")} \\{([^}]*)\\}`, "m").exec(css)?.[1] ?? "";
}

describe("stylesheet colours", () => {
  const css = readFileSync(join(viewsDir, "assets", "style.css"), "utf8");
  const { light, dark } = schemes(css);

  it("defines every custom property it uses, and every colour again for dark mode", () => {
    const used = new Set(
      [...css.matchAll(/var\((--[a-z0-9-]+)([^)]*)\)/g)].map(([, name, fallback]) => {
        expect([name, fallback]).toEqual([name, ""]); // a fallback would hide a property defined nowhere
        return name!;
      }),
    );
    expect(used.size).toBeGreaterThan(10);
    for (const name of used) expect([name, light.has(name)]).toEqual([name, true]);
    for (const [name, value] of light) {
      if (/^#|rgb|shadow/.test(`${value} ${name}`)) expect([name, dark.has(name)]).toEqual([name, true]);
    }
  });

  it("gives the This session badge its own text colour on its own background", () => {
    const badge = declarationsOf(css, ".badge");
    expect(badge).toMatch(/\bbackground: var\(--accent-subtle\);/);
    expect(badge).toMatch(/\bcolor: var\(--accent-text\);/);
  });

  it.each([
    ["--accent-text", "--accent-subtle"],
    ["--text", "--bg"],
    ["--text", "--surface"],
    ["--muted", "--surface"],
    ["--muted", "--bg"],
    ["--link", "--surface"],
    ["--warn-text", "--warn-bg"],
    ["--primary-text", "--primary-bg"],
    ["--text", "--secondary-bg"],
  ])("%s on %s is at least 4.5:1 (WCAG AA) in light and in dark mode", (text, background) => {
    for (const scheme of [light, dark]) {
      expect(contrast(scheme.get(text) ?? "", scheme.get(background) ?? "")).toBeGreaterThanOrEqual(4.5);
    }
  });
});

describe("narrow screens", () => {
  const css = readFileSync(join(viewsDir, "assets", "style.css"), "utf8");

  it("a link styled as a button has no side padding, so it lines up under the button before it", () => {
    expect(declarationsOf(css, ".button--link")).toMatch(/padding-inline: 0;/);
  });

  it("on a phone a session's button goes under its text", () => {
    const phone = /@media \(max-width: 30rem\) \{\s*\.session \{([^}]*)\}\s*\.session__end \{([^}]*)\}/.exec(css);
    expect(phone?.[1]).toMatch(/grid-template-columns: minmax\(0, 1fr\);/);
    expect(phone?.[2]).toMatch(/grid-column: 1;/);
  });

  it("keeps sign-in and built-in whole in the demo banner and on the home page", () => {
    expect(declarationsOf(css, ".nowrap")).toMatch(/white-space: nowrap;/);
    expect(renderError({}, { demoMode: true })).toMatch(
      /<p>Demo mode — <span class="nowrap">sign-in<\/span> uses the <span class="nowrap">built-in<\/span> GitHub emulator/,
    );
    expect(renderHome({ demoMode: true })).toContain('the <span class="nowrap">built-in</span> GitHub emulator to approve access');
  });
});

describe("the demo's GitHub emulator pages", () => {
  // Found through the package's exports, as anything outside it must: its views/ sit beside its package.json.
  const emulatorPackage = createRequire(import.meta.url).resolve("@github-login-server/github-emulator/package.json");
  const emulatorCss = readFileSync(join(dirname(emulatorPackage), "views", "emulator.css"), "utf8");
  const serverCss = readFileSync(join(viewsDir, "assets", "style.css"), "utf8");
  const stack = (declaration: string | undefined) => (declaration ?? "").replace(/\s+/g, " ").trim();

  it("use the server pages' font stack (a copy: the emulator imports nothing of the server)", () => {
    const serverFont = stack(/^:root \{[^}]*?font-family: ([^;]+);/m.exec(serverCss)?.[1]);
    expect(serverFont).toMatch(/^system-ui, /);
    expect(stack(/--font: ([^;]+);/.exec(emulatorCss)?.[1])).toBe(serverFont);
  });
});

describe("templates and assets", () => {
  // The server's own pages; the emulator's are in its package (packages/github-emulator/views/), with its own tests.
  const templates = [
    ...readdirSync(viewsDir).filter((file) => file.endsWith(".eta")),
    ...readdirSync(join(viewsDir, "partials")).map((file) => `partials/${file}`),
  ];

  it("use raw output only for the layout body and partials, never for data", () => {
    expect(templates).toEqual(expect.arrayContaining(["layout.eta", "home.eta", "profile.eta", "error.eta"]));
    for (const file of templates) {
      const source = readFileSync(join(viewsDir, file), "utf8");
      for (const [, expression] of source.matchAll(/<%~\s*([\s\S]*?)\s*%>/g)) {
        expect(expression).toMatch(/^(it\.body|include\("\.\/partials\/[a-z-]+"(, \{[^}]*\})?\))$/);
      }
    }
  });

  it("reference assets only through it.assetsPath (served under /auth/assets/, which every proxy routes)", () => {
    for (const file of templates) {
      const source = readFileSync(join(viewsDir, file), "utf8");
      for (const [, value] of source.matchAll(/\s(?:href|src)="([^"]*)"/g)) {
        if (/assets|\.(css|svg|png|js)\b/.test(value!))
          expect([file, value]).toEqual([file, expect.stringMatching(/^<%= it\.assetsPath %>\/[a-z-]+\.[a-z]+$/)]);
      }
      expect([file, source.includes("/assets/")]).toEqual([file, false]);
    }
    const html = renderHome({ assetsPath: "/auth/assets" });
    expect(tags(html, "link").map((tag) => attribute(tag, "href"))).toEqual(["/auth/assets/style.css", "/auth/assets/github-mark.svg"]);
  });

  it("keep all styling in style.css, which loads nothing from elsewhere", () => {
    const css = readFileSync(join(viewsDir, "assets", "style.css"), "utf8");
    expect(css).toMatch(/prefers-color-scheme:\s*dark/);
    expect(css).toMatch(/:focus-visible/);
    expect(css).not.toMatch(/@import|url\(/i);
  });

  it("let text GitHub users choose wrap anywhere, so a long login or email never widens a phone's page", () => {
    const css = readFileSync(join(viewsDir, "assets", "style.css"), "utf8");
    const declarationsOf = (selector: string) =>
      new RegExp(`^${selector.replace(/[.*]/g, "\\$&")} \\{([^}]*)\\}`, "m").exec(css)?.[1] ?? "";
    for (const selector of ["h1", ".profile__login", ".profile__bio", ".profile__detail dd", ".message__text"]) {
      expect([selector, declarationsOf(selector)]).toEqual([selector, expect.stringMatching(/overflow-wrap: anywhere;/)]);
    }
  });
});

describe("error pages as the server sends them", () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack.close());

  it("a sign-in cancelled on GitHub is a calm notice that keeps its 401 and offers to sign in again", async () => {
    const agent = request.agent(stack.app);
    const { authorizeUrl } = await startSignIn(agent);
    const { callbackUrl, callback } = await finishSignIn(agent, authorizeUrl, "octocat", "cancel");
    expect(callbackUrl.pathname).toBe("/auth/github/callback");
    expect(callbackUrl.searchParams.get("error")).toBe("access_denied");
    expect(callbackUrl.searchParams.get("state")).toBeTruthy();
    expect(callback.status).toBe(401);
    expect(callback.type).toBe("text/html");
    const main = mainOf(callback.text);
    expect(elementText(main, /<h1\b/)).toBe("Sign-in cancelled");
    expect(main).not.toMatch(/Error|401|eyebrow|message--error/);
    expect(main).toContain("message--notice");
    const [retry] = tags(main, "a");
    expect(attribute(retry ?? "", "href")).toBe("/auth/github");
    expect(elementText(main, /<a\b/)).toBe("Sign in with GitHub");
  });

  it("a real failure of the sign-in keeps the error look", async () => {
    const callback = await request(stack.app).get("/auth/github/callback?code=0123456789abcdef0123&state=forged").expect(400);
    const main = mainOf(callback.text);
    expect(elementText(main, /<p class="eyebrow"/)).toBe("Error 400");
    expect(main).toContain("message--error");
    expect(main).not.toContain("message--notice");
    expect(elementText(main, /<a\b/)).toBe("Try signing in again");
  });
});
