/**
 * Defence in depth: a tool that echoes its token (an error quoting a request, a debug field)
 * must not hand it to the model, the session or the tool card. Every string in a tool's result
 * is searched for the secret values of the credentials read in this request.
 */

/** What a scrubbed value becomes. */
export const REDACTED = "[redacted]";

/**
 * Shorter secret values are not searched for: replacing every "abc" in a result would mangle
 * it, and no real API token or PAT is that short (Jira's are 24 characters and more).
 */
export const MIN_SCRUBBED_SECRET_LENGTH = 8;

/** The forms a secret is searched in: as is, and URL-encoded (a tool quoting a URL). */
export function secretForms(secrets: Iterable<string>): string[] {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (secret.length < MIN_SCRUBBED_SECRET_LENGTH) continue;
    forms.add(secret);
    forms.add(encodeURIComponent(secret));
  }
  // Longest first, so a secret containing another is replaced whole.
  return [...forms].sort((a, b) => b.length - a.length);
}

/** Replaces each form in `text`; returns `text` itself when none occurs. */
export function scrubText(text: string, forms: readonly string[]): string {
  let out = text;
  for (const form of forms) {
    if (out.includes(form)) out = out.replaceAll(form, REDACTED);
  }
  return out;
}

/** A copy of a JSON value with every string (keys too) scrubbed; the value itself when clean. */
export function scrubJson<T>(value: T, forms: readonly string[]): T {
  if (forms.length === 0) return value;
  return scrub(value, forms) as T;
}

function scrub(value: unknown, forms: readonly string[]): unknown {
  if (typeof value === "string") return scrubText(value, forms);
  if (Array.isArray(value)) return value.map((item) => scrub(item, forms));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value))
      out[scrubText(key, forms)] = scrub(item, forms);
    return out;
  }
  return value;
}
