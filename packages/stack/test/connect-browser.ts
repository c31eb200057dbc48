/** A page as the browser was shown it. */
export interface ShownPage {
  readonly url: string;
  readonly status: number;
  readonly html: string;
}

/**
 * What a browser does with a connect link, as far as the connect page can tell: GET it, keep
 * the cookies it sets, post its form back to the same address with the hidden fields and what
 * the user typed. One instance is one browser (its own cookies); every page it was shown is kept
 * for the secret scans.
 */
export class ConnectBrowser {
  private readonly cookies = new Map<string, string>();
  private form: { url: string; hidden: Record<string, string> } | undefined;
  readonly pages: ShownPage[] = [];

  /** Opens a link (a navigation from the chat: no cookie of this site yet, unless kept). */
  async open(url: string): Promise<ShownPage> {
    const page = await this.request(url, { method: "GET" });
    this.form = page.status === 200 ? readForm(url, page.html) : undefined;
    return page;
  }

  /** Fills the last page's form (`field.<name>` inputs, by name) and submits it. */
  async submit(fields: Readonly<Record<string, string>>): Promise<ShownPage> {
    if (!this.form) throw new Error("the last page opened showed no form");
    const body = new URLSearchParams(this.form.hidden);
    for (const [name, value] of Object.entries(fields)) body.set(`field.${name}`, value);
    const page = await this.request(this.form.url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: body.toString(),
    });
    // A refused form comes back with its fields: the user may correct and send it again.
    const again = readForm(this.form.url, page.html);
    this.form = again ?? undefined;
    return page;
  }

  /** Every page shown, as one text. */
  allHtml(): string {
    return this.pages.map((page) => page.html).join("\n");
  }

  private async request(url: string, init: RequestInit): Promise<ShownPage> {
    const headers = new Headers(init.headers);
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
    if (cookie) headers.set("cookie", cookie);
    const response = await fetch(url, { ...init, headers, redirect: "manual" });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const at = pair?.indexOf("=") ?? -1;
      if (pair && at > 0) this.cookies.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
    }
    const page = { url, status: response.status, html: await response.text() };
    this.pages.push(page);
    return page;
  }
}

/** The page's POST form (no action: it posts to the page's own address) and hidden fields. */
function readForm(
  url: string,
  html: string,
): { url: string; hidden: Record<string, string> } | undefined {
  const form = /<form method="post"[^>]*>([\s\S]*?)<\/form>/.exec(html)?.[1];
  if (form === undefined) return undefined;
  const hidden: Record<string, string> = {};
  for (const input of form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    hidden[input[1] as string] = unescapeHtml(input[2] as string);
  }
  return { url, hidden };
}

function unescapeHtml(text: string): string {
  return text
    .replaceAll("&quot;", '"')
    .replaceAll("&#39;", "'")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&");
}

/** The connect link in an answer: `[Connect Jira](url)`, as the runtime writes it. */
export function connectLinkIn(answer: string, service = "Jira"): string | undefined {
  return new RegExp(`\\[Connect ${service}\\]\\((https?://[^)\\s]+)\\)`).exec(answer)?.[1];
}
