// Types for the small packages Express is built on that ship none, as far as this server uses them.

declare module "proxy-addr" {
  /** Compiles trusted addresses, subnets and keywords (loopback, linklocal, uniquelocal) into a check of one hop. */
  export function compile(trusted: string[]): (address: string, hop: number) => boolean;
}

declare module "etag" {
  /** An entity tag for this body: weak (`W/"…"`) when asked to be. */
  export default function etag(body: Buffer | string, options?: { weak?: boolean }): string;
}

declare module "fresh" {
  /** Whether the request's conditional headers (If-None-Match, If-Modified-Since) match the answer's ETag and Last-Modified. */
  export default function fresh(
    requestHeaders: Record<string, string | string[] | undefined>,
    responseHeaders: { etag?: string; "last-modified"?: string },
  ): boolean;
}

declare module "parseurl" {
  /** The request's URL, parsed once and remembered on the request (Express parses it so too). */
  export default function parseurl(
    request: import("node:http").IncomingMessage,
  ): { pathname: string | null; search: string | null } | undefined;
}
