import type { CredentialField } from "@agentllm/sdk";
import { html, SafeHtml } from "./html.ts";

/**
 * The connect pages' HTML: server-rendered, no script, one inline style sheet (the CSP allows
 * inline styles only), readable on a phone. Every value goes through `html`, which escapes it.
 */

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#f5f5f7;color:#1d1d1f;line-height:1.45}
main{max-width:32rem;margin:0 auto;padding:1.5rem 1rem}
.card{background:#fff;border-radius:12px;padding:1.25rem;box-shadow:0 1px 3px rgba(0,0,0,.12)}
h1{font-size:1.35rem;margin:0 0 .75rem}
p{margin:.5rem 0}
.who{color:#555;font-size:.95rem}
label{display:block;font-weight:600;margin-top:1rem}
input{box-sizing:border-box;width:100%;font-size:1rem;padding:.6rem;margin-top:.3rem;border:1px solid #bbb;border-radius:8px}
.help{color:#555;font-size:.85rem;margin-top:.25rem}
.error{background:#fdecea;color:#8a1c12;border-radius:8px;padding:.6rem .8rem}
.field-error{color:#8a1c12;font-size:.85rem;margin-top:.25rem}
.actions{display:flex;gap:.75rem;align-items:center;margin-top:1.25rem;flex-wrap:wrap}
button{font-size:1rem;padding:.6rem 1.2rem;border-radius:8px;border:0;background:#0a66c2;color:#fff}
button[disabled]{background:#9aa7b4}
a.cancel{color:#555}
`;

function page(title: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${title}</title>
<style>${new SafeHtml(STYLE)}</style>
</head>
<body><main><div class="card">
${body}
</div></main></body>
</html>
`.value;
}

/** One input of the form, with what the user typed (never for a secret field). */
export interface FormField {
  readonly name: string;
  readonly field: CredentialField;
  readonly value: string;
  readonly error?: string | undefined;
}

export interface FormPageInput {
  readonly service: string;
  readonly userId: string;
  readonly ticket: string;
  readonly csrfToken: string;
  readonly fields: readonly FormField[];
  readonly cancelHref: string;
  /** Shown above the form: the service refused the values, or a check failed. */
  readonly error?: string | undefined;
  readonly maxFieldChars: number;
}

export function formPage(input: FormPageInput): string {
  return page(
    `Connect ${input.service}`,
    html`<h1>Connect ${input.service}</h1>
<p class="who">For the user <strong>${input.userId}</strong>. What you enter is checked with ${input.service}, then stored encrypted; the agent uses it to act as you.</p>
${input.error && html`<p class="error" role="alert">${input.error}</p>`}
<form method="post" autocomplete="off">
<input type="hidden" name="ticket" value="${input.ticket}">
<input type="hidden" name="csrf" value="${input.csrfToken}">
${input.fields.map((f) => fieldInput(f, input.maxFieldChars))}
<div class="actions">
<button type="submit">Connect</button>
<a class="cancel" href="${input.cancelHref}">Cancel</a>
</div>
</form>`,
  );
}

function fieldInput({ name, field, value, error }: FormField, maxChars: number): SafeHtml {
  const id = `field-${name}`;
  // A masked input is never filled in again, whether or not the field is declared secret.
  const masked = field.secret || field.type === "password";
  const type = masked ? "password" : (field.type ?? "text");
  const required = field.required !== false;
  return html`<label for="${id}">${field.label}${required ? "" : " (optional)"}</label>
<input id="${id}" name="field.${name}" type="${type}" value="${masked ? "" : value}" maxlength="${maxChars}"${required ? html` required` : ""}${field.placeholder ? html` placeholder="${field.placeholder}"` : ""}${field.help ? html` aria-describedby="${id}-help"` : ""}>
${field.help && html`<p class="help" id="${id}-help">${field.help}</p>`}
${error && html`<p class="field-error">${error}</p>`}
`;
}

export interface OAuthPageInput {
  readonly service: string;
  readonly userId: string;
  readonly cancelHref: string;
  /** Undefined when no Google client is configured: the page says so instead of a button. */
  readonly signIn: { readonly ticket: string; readonly csrfToken: string } | undefined;
  /** Why the last sign-in did not finish (denied, expired). */
  readonly error?: string | undefined;
}

/** An `oauth2` toolkit: one button that sends the browser to Google's consent screen. */
export function oauthPage(input: OAuthPageInput): string {
  const body = input.signIn
    ? html`<p>${input.service} is connected by signing in with Google. Google asks you to allow read access; you can remove it any time in your Google account.</p>
<form method="post">
<input type="hidden" name="ticket" value="${input.signIn.ticket}">
<input type="hidden" name="csrf" value="${input.signIn.csrfToken}">
<div class="actions">
<button type="submit">Connect with Google</button>
<a class="cancel" href="${input.cancelHref}">Cancel</a>
</div>
</form>`
    : html`<p>${input.service} is connected by signing in with Google, which is not set up on this server: an operator sets <code>GDRIVE_CLIENT_ID</code> and <code>GDRIVE_CLIENT_SECRET</code> (see docs/deployment-encryption.md and docs/configuration.md).</p>
<div class="actions"><a class="cancel" href="${input.cancelHref}">Cancel</a></div>`;
  return page(
    `Connect ${input.service}`,
    html`<h1>Connect ${input.service}</h1>
<p class="who">For the user <strong>${input.userId}</strong>.</p>
${input.error && html`<p class="error" role="alert">${input.error}</p>`}
${body}`,
  );
}

export function connectedPage(input: { service: string; userId: string }): string {
  return page(
    `${input.service} connected`,
    html`<h1>Connected: go back to the chat</h1>
<p>${input.service} is connected for the user <strong>${input.userId}</strong>. Ask the agent again; it can now use ${input.service} for you. You can close this page.</p>`,
  );
}

/** A page that explains a refusal; `hint` says what to do next. */
export function messagePage(input: { heading: string; text: string; hint?: string }): string {
  return page(
    input.heading,
    html`<h1>${input.heading}</h1>
<p>${input.text}</p>
${input.hint && html`<p>${input.hint}</p>`}`,
  );
}
