import { PLACEHOLDER } from "./workbook-schema.ts";

/** A value put into JQL: a version, a team, a date. Longer is not one of those. */
export const MAX_JQL_VALUE_CHARS = 100;
/** A value put into a message (or a workflow's steps): a count, a list of issue keys, a date. */
export const MAX_MESSAGE_VALUE_CHARS = 500;

export interface FilledTemplate {
  readonly text: string;
  /** Placeholders left as `{name}`: nothing in the call or the config gave them a value. */
  readonly missing: readonly string[];
}

/** A value that cannot go into the template; the message names the placeholder and the fix. */
export class TemplateValueError extends Error {
  override readonly name = "TemplateValueError";
}

/**
 * `template` with each `{name}` replaced by `values[name]`, else the config's `name`. JQL values
 * go between the template's own quotes, so a quote, backslash or line break in one could end the
 * string and change the query: such a value is refused rather than escaped, as no version, team
 * or date holds one.
 */
export function fillTemplate(
  template: string,
  config: Readonly<Record<string, string>>,
  values: Readonly<Record<string, string>>,
  kind: "jql" | "message" | "steps",
): FilledTemplate {
  // Only the call's values are bounded here: config values are bounded by the workbook schema.
  const max = kind === "jql" ? MAX_JQL_VALUE_CHARS : MAX_MESSAGE_VALUE_CHARS;
  for (const [name, value] of Object.entries(values)) {
    if (value.length > max) {
      throw new TemplateValueError(`the value of ${name} is longer than ${max} characters`);
    }
  }
  const missing = new Set<string>();
  const text = template.replace(PLACEHOLDER, (whole, name: string) => {
    const value = Object.hasOwn(values, name) ? values[name] : config[name];
    if (value === undefined || value.trim() === "") {
      missing.add(name);
      return whole;
    }
    if (kind === "jql" && /["\\\r\n]/.test(value)) {
      throw new TemplateValueError(
        `the value of ${name} holds a quote, a backslash or a line break, which a JQL value here cannot`,
      );
    }
    return value.trim();
  });
  return { text, missing: [...missing] };
}
