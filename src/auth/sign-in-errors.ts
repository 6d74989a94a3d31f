// What a browser sees when sign-in fails, one named error per cause (SPEC §3 callback statuses).
// Messages never repeat text from the query string: anyone can craft a callback URL.
import { AppError } from "../errors.js";

export const signInCancelled = () =>
  new AppError("sign_in_cancelled", "You cancelled signing in with GitHub, so nothing was shared with this site.", {
    heading: "Sign-in cancelled",
    notice: true,
  });

/** A used or stale sign-in link opened by a browser that is signed in anyway (a reload, the back button). */
export const alreadySignedIn = (login: string) =>
  new AppError(
    "invalid_state",
    `This sign-in link was already used or has expired, but that changes nothing: you are signed in as @${login}.`,
    {
      heading: "You are already signed in",
      notice: true,
      next: { href: "/", label: "Continue" },
    },
  );

export const invalidState = (reason: string) =>
  new AppError(
    "invalid_state",
    "This sign-in link is not valid here: it was already used, is more than 10 minutes old, or was started in another browser. Please start again.",
    { heading: "Sign-in link expired or invalid", cause: new Error(`invalid state: ${reason}`) },
  );

export const codeRefused = (oauthError: string) =>
  new AppError("code_refused", messageForRefusal(oauthError), {
    heading: "GitHub did not accept the sign-in",
    cause: new Error(`token endpoint refused the code: ${oauthError}`),
  });

export const githubAuthorizeError = (error: string) =>
  new AppError("github_error", messageForAuthorizeError(error), {
    heading: "GitHub could not start the sign-in",
    cause: new Error(`authorize answered error=${error}`),
  });

export const clientCredentialsRejected = () =>
  new AppError("github_misconfigured", "GitHub rejected this server's app credentials. The administrator needs to check them.", {
    heading: "Sign-in is misconfigured",
    cause: new Error("token endpoint answered incorrect_client_credentials: check GITHUB_CLIENT_ID / GITHUB_CLIENT_SECRET"),
  });

export const notAllowed = (login: string) =>
  new AppError("not_allowed", `The GitHub account @${login} is not allowed to sign in here.`, {
    heading: "Not allowed",
  });

function messageForRefusal(oauthError: string): string {
  if (oauthError === "unverified_user_email")
    return "GitHub needs a verified primary email on your account before it lets you sign in to apps.";
  if (oauthError === "redirect_uri_mismatch") return "This server's callback URL does not match the one registered with GitHub.";
  return "GitHub did not accept the sign-in code: it may have expired or been used already. Please sign in again.";
}

function messageForAuthorizeError(error: string): string {
  if (error === "redirect_uri_mismatch") return "This server's callback URL does not match the one registered with GitHub.";
  if (error === "application_suspended") return "The GitHub application behind this sign-in is suspended.";
  return "GitHub reported a problem with the sign-in request. Please try again.";
}
