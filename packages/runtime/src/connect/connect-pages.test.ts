import { describe, expect, it } from "vitest";
import { connectedPage, formPage, messagePage, oauthPage } from "./connect-pages.ts";
import { escapeHtml, html } from "./html.ts";

const EVIL = `"><script>alert('x')</script>&`;

describe("html", () => {
  it("escapes every interpolated value, in text and attributes", () => {
    expect(escapeHtml(EVIL)).toBe("&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;");
    expect(html`<p title="${EVIL}">${EVIL}</p>`.value).not.toContain("<script>");
  });

  it("keeps nested html, joins arrays, drops false and undefined", () => {
    expect(
      html`<ul>${["a", "<b>"].map((x) => html`<li>${x}</li>`)}</ul>${false}${undefined}`.value,
    ).toBe("<ul><li>a</li><li>&lt;b&gt;</li></ul>");
  });
});

describe("the pages", () => {
  const form = formPage({
    service: EVIL,
    userId: EVIL,
    ticket: "tick.et",
    csrfToken: "csrf-token",
    cancelHref: "jira/cancel",
    maxFieldChars: 4096,
    error: EVIL,
    fields: [
      {
        name: "url",
        field: { label: EVIL, secret: false, type: "url", help: EVIL, placeholder: EVIL },
        value: EVIL,
        error: EVIL,
      },
      { name: "token", field: { label: "API token", secret: true }, value: "typed-secret" },
      { name: "team", field: { label: "Team", secret: false, required: false }, value: "" },
      {
        name: "pin",
        field: { label: "PIN", secret: false, type: "password" },
        value: "typed-pin",
      },
    ],
  });

  it("escapes every value a user, toolkit or service put in the form page", () => {
    expect(form).not.toContain("<script>");
    // Service ×3 (title, heading, text), user, error, label, help, placeholder, value, field error.
    expect(form.split("&lt;script&gt;").length - 1).toBe(10);
  });

  it("renders inputs from the declared fields, and never a secret's value", () => {
    expect(form).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(form).toMatch(/name="field\.url" type="url" value="&quot;/);
    expect(form).toMatch(/name="field\.token" type="password" value="" maxlength="4096" required>/);
    expect(form).toContain("Team (optional)");
    expect(form).not.toMatch(/name="field\.team"[^>]*required/);
    expect(form).not.toContain("typed-secret");
    expect(form).not.toContain("typed-pin");
    expect(form).toContain('<input type="hidden" name="ticket" value="tick.et">');
    expect(form).toContain('<input type="hidden" name="csrf" value="csrf-token">');
    expect(form).toContain('<a class="cancel" href="jira/cancel">Cancel</a>');
    expect(form).not.toContain("<script");
  });

  it("escapes the other pages too", () => {
    for (const page of [
      oauthPage({ service: EVIL, userId: EVIL, cancelHref: "x", signIn: undefined }),
      oauthPage({
        service: EVIL,
        userId: EVIL,
        cancelHref: "x",
        signIn: { ticket: EVIL, csrfToken: EVIL },
        error: EVIL,
      }),
      connectedPage({ service: EVIL, userId: EVIL }),
      messagePage({ heading: EVIL, text: EVIL, hint: EVIL }),
    ]) {
      expect(page).not.toContain("<script>");
    }
  });

  it("offers Google sign-in as one posted button carrying the ticket and CSRF token", () => {
    const page = oauthPage({
      service: "Google Drive",
      userId: "alice",
      cancelHref: "x",
      signIn: { ticket: "tick.et", csrfToken: "csrf-token" },
    });
    expect(page).toContain('<form method="post">');
    expect(page).toContain('<input type="hidden" name="ticket" value="tick.et">');
    expect(page).toContain('<input type="hidden" name="csrf" value="csrf-token">');
    expect(page).toContain('<button type="submit">Connect with Google</button>');
  });

  it("says which settings are missing when no Google client is configured, with no form", () => {
    const page = oauthPage({
      service: "Google Drive",
      userId: "alice",
      cancelHref: "x",
      signIn: undefined,
    });
    expect(page).toContain("GDRIVE_CLIENT_ID");
    expect(page).not.toContain("<form");
  });
});
