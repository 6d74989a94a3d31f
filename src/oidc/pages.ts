// The pages the OpenID Connect provider shows a person (SPEC §9): the device flow's code entry,
// confirmation and success, the sign-out confirmation of /oidc/session/end, and errors. They wear
// the server's stylesheet and obey the same CSP as its other pages (no inline script or style);
// every value is escaped. oidc-provider's own form markup is not used: it carries an inline event
// handler, and its CSRF token is all these forms need from it.
import { MOUNTS } from "../http/route-table.js";

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (character) => ESCAPES[character]!);

/** A whole page around `body` (already escaped HTML). */
export function page(title: string, body: string, demoMode: boolean): string {
  const banner = demoMode
    ? '\n  <aside class="demo-banner" aria-label="Demo mode notice" data-demo-banner><p>Demo mode — sign-in uses the built-in GitHub emulator. Do not use in production.</p></aside>'
    : "";
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="color-scheme" content="light dark">
  <title>${escapeHtml(title)} · GitHub Login Server</title>
  <link rel="stylesheet" href="${MOUNTS.assets}/style.css">
</head>
<body>${banner}
  <main id="main" class="container">
    <section class="card message" aria-labelledby="page-heading">
${body}
    </section>
  </main>
</body>
</html>`;
}

/** The CSRF token oidc-provider put in its form (it keeps the same one in its session). */
export function xsrfOf(form: string): string {
  return /name="xsrf" value="([^"]*)"/.exec(form)?.[1] ?? "";
}

export function userCodeEntry(action: string, xsrf: string, problem: string | null): string {
  return `      <h1 id="page-heading">Sign in a device</h1>
      <p class="message__text">${escapeHtml(problem ?? "Enter the code your device or program shows.")}</p>
      <form method="post" action="${escapeHtml(action)}" class="actions">
        <input type="hidden" name="xsrf" value="${escapeHtml(xsrf)}">
        <label for="user_code" class="visually-hidden">Code</label>
        <input id="user_code" name="user_code" type="text" autocomplete="off" autocapitalize="characters" spellcheck="false" required placeholder="XXXX-XXXX" autofocus>
        <button type="submit" class="button button--primary">Continue</button>
      </form>`;
}

export function userCodeConfirmation(action: string, xsrf: string, userCode: string, clientId: string): string {
  const hidden = `<input type="hidden" name="xsrf" value="${escapeHtml(xsrf)}"><input type="hidden" name="user_code" value="${escapeHtml(userCode)}">`;
  return `      <h1 id="page-heading">Sign in ${escapeHtml(clientId)}?</h1>
      <p class="message__text">A device or program asks to act as you at <strong>${escapeHtml(clientId)}</strong>. It should show this code: <code>${escapeHtml(userCode)}</code>. If you did not start this, or the code differs, cancel.</p>
      <form method="post" action="${escapeHtml(action)}" class="actions">
        ${hidden}
        <button type="submit" name="confirm" value="yes" class="button button--primary">Continue</button>
        <button type="submit" name="abort" value="yes" class="button button--secondary">Cancel</button>
      </form>`;
}

export function deviceSignedIn(clientId: string | null): string {
  return `      <h1 id="page-heading">Device signed in</h1>
      <p class="message__text">${clientId ? `${escapeHtml(clientId)} is signed in.` : "The device is signed in."} You can close this page.</p>`;
}

/** A device sign-in that did not go on: why, and where to enter a code again. */
export function deviceProblem(heading: string, text: string): string {
  return `      <h1 id="page-heading">${escapeHtml(heading)}</h1>
      <p class="message__text">${escapeHtml(text)}</p>
      <p class="actions"><a class="button button--link" href="/oidc/device">Sign in a device</a></p>`;
}

export function signOutConfirmation(action: string, xsrf: string, host: string, login: string | null): string {
  const who = login ? ` as <strong>@${escapeHtml(login)}</strong>` : "";
  return `      <h1 id="page-heading">Sign out?</h1>
      <p class="message__text">You are signed in at ${escapeHtml(host)}${who}. Signing out ends that sign-in and the sessions of the applications it signed you in to.</p>
      <form method="post" action="${escapeHtml(action)}" class="actions">
        <input type="hidden" name="xsrf" value="${escapeHtml(xsrf)}">
        <button type="submit" name="logout" value="yes" class="button button--primary">Sign out</button>
        <button type="submit" class="button button--secondary">Stay signed in</button>
      </form>`;
}

export function signedOut(): string {
  return `      <h1 id="page-heading">Signed out</h1>
      <p class="message__text">You are signed out.</p>
      <p class="actions"><a class="button button--link" href="/">Go to the home page</a></p>`;
}

/** An error oidc-provider answers with a page (no redirect back to the client is allowed). */
export function providerError(status: number, error: string, description: string | undefined): string {
  return `      <p class="eyebrow">Error ${status}</p>
      <h1 id="page-heading">The application's sign-in request was refused</h1>
      <p class="message__text">${escapeHtml(description ?? error)} (<code>${escapeHtml(error)}</code>)</p>
      <p class="actions"><a class="button button--link" href="/">Go to the home page</a></p>`;
}
