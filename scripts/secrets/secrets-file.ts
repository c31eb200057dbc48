import { randomBytes } from "node:crypto";

/**
 * The variables `just secrets` generates, each a fresh random value of the form its reader
 * wants. Every one is an empty `NAME=` line in .env.secrets.template's "Generated" section.
 */
export const GENERATED: Readonly<Record<string, () => string>> = {
  // LiteLLM refuses a master key that does not start with "sk-".
  LITELLM_MASTER_KEY: () => `sk-${randomBytes(24).toString("base64url")}`,
  AGENTLLM_RUNTIME_TOKEN: () => randomBytes(32).toString("base64url"),
  // HS256 wants a key at least as long as its 32-byte hash (RFC 7518 3.2); 48 bytes is above it.
  AGENTLLM_IDENTITY_JWT_SECRET: () => randomBytes(48).toString("base64url"),
  WEBUI_SECRET_KEY: () => randomBytes(32).toString("base64url"),
  // A Fernet key: 32 bytes in url-safe base64 with its padding, as Python's
  // Fernet.generate_key() writes it, so the same key works with cryptography.fernet too.
  AGENTLLM_TOKEN_ENCRYPTION_KEY: () =>
    randomBytes(32).toString("base64").replaceAll("+", "-").replaceAll("/", "_"),
  // Hex: it goes into a postgres:// URL, where only unreserved characters are safe unescaped.
  LITELLM_DB_PASSWORD: () => randomBytes(24).toString("hex"),
};

const ASSIGNMENT = /^([A-Z][A-Z0-9_]*)=(.*)$/;

/** The variables a dotenv text sets (uncommented lines), with their raw values. */
export function assignedValues(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split("\n")) {
    const match = ASSIGNMENT.exec(line.trim());
    if (match) values.set(match[1] as string, (match[2] as string).trim());
  }
  return values;
}

/** The template with a fresh value on each generated variable's empty line. */
export function fillTemplate(template: string): { text: string; generated: string[] } {
  const generated: string[] = [];
  const lines = template.split("\n").map((line) => {
    const match = ASSIGNMENT.exec(line);
    const name = match?.[1];
    const generate = name === undefined ? undefined : GENERATED[name];
    if (!generate || (match?.[2] ?? "").trim() !== "") return line;
    generated.push(name as string);
    return `${name}=${generate()}`;
  });
  return { text: lines.join("\n"), generated };
}

/**
 * For an existing file: generated variables it lacks or leaves empty. `--add-missing` fills
 * the empty ones and appends the absent ones; a value that is there is never touched.
 */
export function missingGenerated(existing: string): string[] {
  const values = assignedValues(existing);
  return Object.keys(GENERATED).filter((name) => !values.get(name));
}

export function addMissing(existing: string): { text: string; added: string[] } {
  const missing = new Set(missingGenerated(existing));
  const added: string[] = [];
  const lines = existing.split("\n").map((line) => {
    const match = ASSIGNMENT.exec(line.trim());
    const name = match?.[1];
    if (name === undefined || !missing.has(name) || added.includes(name)) return line;
    added.push(name);
    return `${name}=${(GENERATED[name] as () => string)()}`;
  });
  const appended = [...missing].filter((name) => !added.includes(name));
  let text = lines.join("\n");
  if (appended.length > 0) {
    if (!text.endsWith("\n")) text += "\n";
    text += "\n# Added by `just secrets --add-missing`\n";
    for (const name of appended) text += `${name}=${(GENERATED[name] as () => string)()}\n`;
  }
  return { text, added: [...added, ...appended] };
}
