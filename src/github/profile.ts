// The part of GitHub's user object this server keeps and serves (SPEC §3 "Profile JSON").
export interface GitHubProfile {
  id: number;
  login: string;
  name: string | null;
  email: string | null;
  avatarUrl: string;
  htmlUrl: string;
  company: string | null;
  location: string | null;
  bio: string | null;
  createdAt: string | null;
}

const nullableString = (value: unknown): string | null => (typeof value === "string" ? value : null);

/** Null when the answer is not a user object at all (then GitHub is treated as misbehaving). */
export function readProfile(body: unknown): GitHubProfile | null {
  if (typeof body !== "object" || body === null) return null;
  const user = body as Record<string, unknown>;
  if (typeof user.id !== "number" || !Number.isSafeInteger(user.id) || typeof user.login !== "string") return null;
  return {
    id: user.id,
    login: user.login,
    name: nullableString(user.name),
    email: nullableString(user.email),
    avatarUrl: nullableString(user.avatar_url) ?? "",
    htmlUrl: nullableString(user.html_url) ?? "",
    company: nullableString(user.company),
    location: nullableString(user.location),
    bio: nullableString(user.bio),
    createdAt: nullableString(user.created_at),
  };
}
