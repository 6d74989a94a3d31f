// Each of these could send the browser off-site (or to a script) if taken as a redirect target.
const CLASSIC = [
  "//evil.example",
  "///evil.example",
  "/\\evil.example",
  "\\\\evil.example",
  "/\\/evil.example",
  "https://evil.example/",
  "http:evil.example",
  "javascript:alert(1)",
  "JaVaScRiPt:alert(1)",
  "data:text/html,<script>alert(1)</script>",
  "evil.example",
  "/%2F%2Fevil.example",
  "/%2f%2fevil.example",
  "/%5Cevil.example",
  "/%5C%5Cevil.example",
  "%2F%2Fevil.example",
  "/\t/evil.example",
  "/\n/evil.example",
  "/%09/evil.example",
  "/%0d%0a/evil.example",
  "/\u0000/evil.example",
  "/%00",
  "/%E0%A4%A",
  " //evil.example",
  "https:/\\evil.example",
  "/" + "a".repeat(5000),
  "",
  "relative/path",
];

// Dot segments that the URL parser collapses *after* a check of the raw text: `/.//evil.example`
// is a plain path as written and `//evil.example` (another host) once resolved. Every spelling of
// a dot segment, before every way of starting a second slash.
const DOT_SEGMENTS = [".", "%2e", "%2E", "..", "%2e%2e", "%2E%2e", ".%2e", "%2e.", "a/..", "a/%2e%2e", "./.", "a/b/../.."];
const AFTER_THE_DOTS = [
  "//evil.example",
  "//evil.example/path?q=1#f",
  "//evil.example:8443/",
  "//user:pass@evil.example",
  "///evil.example",
  "/\\evil.example",
  "\\/evil.example",
  "/\t/evil.example",
  "//\tevil.example",
  "/%09/evil.example",
  "//%65vil.example",
];
const DOT_SEGMENT_CLASS = DOT_SEGMENTS.flatMap((dots) =>
  AFTER_THE_DOTS.map((rest) => `/${dots}${rest.startsWith("/") || rest.startsWith("\\") ? rest : `/${rest}`}`),
);

export const HOSTILE_RETURN_TO = [...CLASSIC, ...DOT_SEGMENT_CLASS];
