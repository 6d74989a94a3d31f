// The documentation holds together: every relative link in README.md and docs/*.md reaches a file
// that exists and, when it names a #fragment, a heading of that file as GitHub anchors it; and the
// README's table of contents reaches every page under docs/.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { PROJECT_ROOT } from "../support/process.js";

const PAGES = [
  "README.md",
  ...readdirSync(join(PROJECT_ROOT, "docs"))
    .filter((name) => name.endsWith(".md"))
    .map((name) => `docs/${name}`),
];
const read = (page: string) => readFileSync(join(PROJECT_ROOT, page), "utf8");

/**
 * The page's lines outside fenced code blocks (where `# x` and `[x](y)` are not Markdown), with any
 * code span that holds a link-like `](` emptied; other code spans stay, as headings show their text.
 */
function prose(markdown: string): string[] {
  let fenced = false;
  return markdown.split("\n").map((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return "";
    }
    return fenced ? "" : line.replace(/`[^`]*`/g, (code) => (code.includes("](") ? "" : code));
  });
}

/**
 * GitHub's anchor for a heading: its text as rendered (code spans, emphasis and links reduced to
 * their text), lowercased, every character but letters, digits, spaces, '-' and '_' dropped, spaces
 * turned into '-'; a repeated anchor gets -1, -2, … in order.
 */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  for (const line of prose(markdown)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const text = heading.replace(/\[([^\]]*)\]\([^)]*\)/g, "$1").replace(/[`*]/g, "");
    const anchor = text
      .toLowerCase()
      .replace(/[^\p{L}\p{N} _-]/gu, "")
      .replace(/ /g, "-");
    let unique = anchor;
    for (let repeat = 1; anchors.has(unique); repeat += 1) unique = `${anchor}-${repeat}`;
    anchors.add(unique);
  }
  return anchors;
}

/** The targets of a page's inline links that stay in this repository (no scheme, no mail). */
function relativeLinks(markdown: string): string[] {
  const links = prose(markdown).flatMap((line) => [...line.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((match) => match[1]!));
  return links.filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

/** Every broken link of `page`, as "page → target (why)". */
function brokenLinks(page: string): string[] {
  return relativeLinks(read(page)).flatMap((target) => {
    const [path, fragment] = target.split("#", 2) as [string, string | undefined];
    const file = path === "" ? page : normalize(join(dirname(page), decodeURIComponent(path)));
    if (file.startsWith("..") || !existsSync(join(PROJECT_ROOT, file))) return [`${page} → ${target} (no file ${file})`];
    if (fragment === undefined || !file.endsWith(".md")) return [];
    return anchorsOf(read(file)).has(fragment) ? [] : [`${page} → ${target} (no heading #${fragment} in ${file})`];
  });
}

test("GitHub's anchors for headings: lowercase, punctuation dropped, spaces as '-', repeats numbered", () => {
  const page =
    "# Protecting an app\n## Before the proxy: `PUBLIC_URL` and `TRUST_PROXY`\n## A sign-out form\n## nginx\n```sh\n# not a heading\n```\n## nginx\n## Sign-in, beside a passport-github2 server\n";
  expect([...anchorsOf(page)]).toEqual([
    "protecting-an-app",
    "before-the-proxy-public_url-and-trust_proxy",
    "a-sign-out-form",
    "nginx",
    "nginx-1",
    "sign-in-beside-a-passport-github2-server",
  ]);
});

test("every relative link in README.md and docs/*.md reaches an existing file and heading", () => {
  expect(PAGES.length).toBeGreaterThan(1);
  expect(PAGES.flatMap(brokenLinks)).toEqual([]);
});

test("the README's table of contents links every page under docs/", () => {
  const linked = new Set(relativeLinks(read("README.md")).map((target) => normalize(target.split("#")[0]!)));
  expect(PAGES.filter((page) => page !== "README.md" && !linked.has(page))).toEqual([]);
});
