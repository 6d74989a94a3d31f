// GitHub's JSON shapes for users and organisations [GitHub REST docs; rest-api-description
// models private-user, simple-user, organization-simple]. URLs point at the emulator itself.
import { crc32 } from "node:zlib";
import type { EmulatorUser } from "./types.js";

export interface Bases {
  web: string;
  api: string;
}

/** GitHub's legacy global node ids: base64 of "0<type length>:<Type><id>" ("04:User583231", "012:Organization9919"). */
export function nodeId(type: "User" | "Organization" | "Team" | "Repository", id: number): string {
  return Buffer.from(`0${type.length}:${type}${id}`).toString("base64");
}

/** Organisations have no configured id; derive a stable one from the login. */
export function orgId(login: string): number {
  return 100_000_000 + (crc32(login.toLowerCase()) % 100_000_000);
}

/** simple-user; organisations take this shape too where they own something (a repository's owner). */
export function simpleUserJson(
  user: Pick<EmulatorUser, "login" | "id">,
  bases: Bases,
  type: "User" | "Organization" = "User",
): Record<string, unknown> {
  const api = `${bases.api}/users/${user.login}`;
  return {
    login: user.login,
    id: user.id,
    node_id: nodeId(type, user.id),
    avatar_url: `${bases.web}/avatars/u/${user.id}`,
    gravatar_id: "",
    url: api,
    html_url: `${bases.web}/${user.login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type,
    user_view_type: "public",
    site_admin: false,
  };
}

/**
 * GET /user. `privateView`: the token may read private profile data (an OAuth token with `user`, or
 * a GitHub App user token), which adds the private counters and `plan`, as GitHub's private-user does.
 */
export function userJson(user: EmulatorUser, bases: Bases, privateView: boolean): Record<string, unknown> {
  const json: Record<string, unknown> = {
    ...simpleUserJson(user, bases),
    user_view_type: privateView ? "private" : "public",
    name: user.name,
    company: user.company,
    blog: "",
    location: user.location,
    email: user.email,
    hireable: null,
    bio: user.bio,
    twitter_username: null,
    public_repos: 0,
    public_gists: 0,
    followers: 0,
    following: 0,
    created_at: user.createdAt,
    updated_at: user.createdAt,
  };
  if (!privateView) return json;
  return {
    ...json,
    private_gists: 0,
    total_private_repos: 0,
    owned_private_repos: 0,
    disk_usage: 0,
    collaborators: 0,
    two_factor_authentication: true,
    plan: { name: "free", space: 976562499, collaborators: 0, private_repos: 10000 },
  };
}

/** organization-simple. */
export function orgJson({ login, id }: { login: string; id: number }, bases: Bases): Record<string, unknown> {
  const api = `${bases.api}/orgs/${login}`;
  return {
    login,
    id,
    node_id: nodeId("Organization", id),
    url: api,
    repos_url: `${api}/repos`,
    events_url: `${api}/events`,
    hooks_url: `${api}/hooks`,
    issues_url: `${api}/issues`,
    members_url: `${api}/members{/member}`,
    public_members_url: `${api}/public_members{/member}`,
    avatar_url: `${bases.web}/avatars/u/${id}`,
    description: null,
  };
}
