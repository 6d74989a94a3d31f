// How calls to GitHub are named in metrics: by route template, never by a user's own path.
import { endpointName } from "../../src/github/metered-fetch.js";

const GITHUB_COM = { serverBaseUrl: "https://github.com", serverApiUrl: "https://api.github.com" };
const ENTERPRISE = { serverBaseUrl: "https://ghe.example.com", serverApiUrl: "https://ghe.example.com/api/v3" };

test.each([
  ["POST", "https://github.com/login/oauth/access_token", "POST /login/oauth/access_token"],
  ["GET", "https://api.github.com/user", "GET /user"],
  ["GET", "https://api.github.com/user/emails", "GET /user/emails"],
  ["GET", "https://api.github.com/user/memberships/orgs/octo-org", "GET /user/memberships/orgs/{org}"],
  ["DELETE", "https://api.github.com/applications/Iv23liabc/token", "DELETE /applications/{client_id}/token"],
  ["DELETE", "https://api.github.com/applications/Iv23liabc/grant", "DELETE /applications/{client_id}/grant"],
  ["GET", "https://api.github.com/repos/octocat/secret-project/issues?state=open", "GET (other)"],
  ["POST", "https://api.github.com/user", "POST (other)"],
])("github.com: %s %s → %s", (method, url, name) => {
  expect(endpointName(method, url, GITHUB_COM)).toBe(name);
});

test.each([
  ["POST", "https://ghe.example.com/login/oauth/access_token", "POST /login/oauth/access_token"],
  ["GET", "https://ghe.example.com/api/v3/user", "GET /user"],
  ["GET", "https://ghe.example.com/api/v3/user/memberships/orgs/team", "GET /user/memberships/orgs/{org}"],
  ["GET", "https://ghe.example.com/api/v3/users/someone", "GET /users/{username}"],
  ["GET", "https://ghe.example.com/api/v3/users/someone/repos", "GET (other)"],
])("GitHub Enterprise Server (API under /api/v3): %s %s → %s", (method, url, name) => {
  expect(endpointName(method, url, ENTERPRISE)).toBe(name);
});
