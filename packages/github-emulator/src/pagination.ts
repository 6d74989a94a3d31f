// GitHub's page-based pagination: `per_page` (default 30, at most 100) and `page` (from 1), and a
// Link header built on the request's own URL with rel="prev", "next", "last" and "first" as they
// apply. Clients that read only the first page miss items (oauth2-proxy#246) [protocol §11].
import type { Request, Response } from "express";
import { apiBase } from "./request-context.js";

const DEFAULT_PER_PAGE = 30;
const MAX_PER_PAGE = 100;

export function paginate<T>(request: Request, response: Response, items: T[]): { items: T[]; headers: Record<string, string> } {
  const perPage = Math.min(MAX_PER_PAGE, wholeNumber(request.query.per_page) ?? DEFAULT_PER_PAGE);
  const page = wholeNumber(request.query.page) ?? 1;
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const query = new URLSearchParams(request.originalUrl.split("?")[1] ?? "");
  const url = (target: number) => {
    query.set("page", String(target));
    return `<${apiBase(response)}${request.path}?${query.toString()}>`;
  };
  const links: string[] = [];
  if (page > 1) links.push(`${url(Math.min(page - 1, last))}; rel="prev"`);
  if (page < last) links.push(`${url(page + 1)}; rel="next"`, `${url(last)}; rel="last"`);
  if (page > 1) links.push(`${url(1)}; rel="first"`);
  return { items: slice, headers: links.length > 0 ? { Link: links.join(", ") } : {} };
}

/** A positive whole number given once, else undefined (GitHub falls back to its default). */
function wholeNumber(value: unknown): number | undefined {
  if (typeof value !== "string" || !/^\d+$/.test(value)) return undefined;
  const number = Number(value);
  return number >= 1 ? number : undefined;
}
