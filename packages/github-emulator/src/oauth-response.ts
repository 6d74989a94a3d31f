// The token endpoint answers in the format the Accept header asks for: form-encoded by default,
// JSON for application/json, XML for application/xml — errors included, and errors with HTTP 200
// [GitHub support: token endpoint errors are HTTP 200; coreos/go-oidc#25].
import type { Request, Response } from "express";

export type OAuthFields = Record<string, string | number>;

const FORMATS = ["application/x-www-form-urlencoded", "application/json", "application/xml"] as const;

export function sendOAuthAnswer(request: Request, response: Response, fields: OAuthFields): void {
  const format = request.accepts([...FORMATS]) || FORMATS[0];
  response.status(200);
  if (format === "application/json") {
    response.type("application/json; charset=utf-8").send(JSON.stringify(fields));
  } else if (format === "application/xml") {
    const elements = Object.entries(fields).map(([name, value]) => `<${name}>${escapeXml(String(value))}</${name}>`);
    response.type("application/xml; charset=utf-8").send(`<OAuth>${elements.join("")}</OAuth>`);
  } else {
    const form = new URLSearchParams(Object.entries(fields).map(([name, value]): [string, string] => [name, String(value)]));
    response.type("application/x-www-form-urlencoded; charset=utf-8").send(form.toString());
  }
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (char) => `&#${char.charCodeAt(0)};`);
}
