/**
 * Credentials: what a toolkit needs from each user to act as that user (a Jira token, a Google
 * grant). A toolkit declares one; the runtime keeps each user's encrypted in its vault, collects
 * it on a connect page (never in the chat), and hands it to the toolkit's tools. The model never
 * sees a credential, only whether the user has connected.
 */

/** One value an API-token credential asks for on the connect page. */
export interface CredentialField {
  /** Label on the connect page: "Personal access token". */
  readonly label: string;
  /**
   * Secret fields are encrypted at rest and never shown again. Others (a server URL) are kept
   * as plain metadata, shown in listings and to the model as part of "connected to …".
   */
  readonly secret: boolean;
  /** `url`: must be an http(s) URL; `password`: a masked input. Default `text`. */
  readonly type?: "text" | "url" | "password";
  /** One sentence under the input: where to find or create the value. */
  readonly help?: string;
  readonly placeholder?: string;
  /** Default true. */
  readonly required?: boolean;
}

/** What `validate` may use: the request's signal (the user is waiting on the connect page). */
export interface CredentialCheckContext {
  readonly signal: AbortSignal;
  /**
   * The runtime's `fetch` for the check's HTTP requests (traced like a tool's, see
   * `ToolContext.fetch`). Absent outside the runtime (tests); fall back to the global `fetch`.
   */
  readonly fetch?: (input: string, init: RequestInit) => Promise<Response>;
}

/**
 * The outcome of checking entered values against the service (e.g. Jira's `/myself`). `metadata`
 * is kept beside the credential, not secret (the account name, the server flavour).
 */
export type CredentialCheck =
  | { readonly ok: true; readonly metadata?: Readonly<Record<string, string>> }
  | { readonly ok: false; readonly message: string };

/** A set of named values the user types on the connect page, such as server URL + token. */
export interface ApiTokenCredential<TField extends string = string> {
  readonly kind: "api-token";
  /** The service's name on the connect page and in messages: "Jira". */
  readonly title: string;
  readonly fields: Readonly<Record<TField, CredentialField>>;
  /** Checks the values before they are saved; a `message` is shown to the user as is. */
  validate?(
    values: Readonly<Record<TField, string>>,
    ctx: CredentialCheckContext,
  ): Promise<CredentialCheck>;
  /**
   * Finds this credential pasted into a chat message (users were once told to paste tokens), so
   * the runtime can take it out of the message before anything is stored, logged or sent to the
   * model, and store it for the user. Optional: without it a pasted value is not recognised.
   * `text` is one user message; return undefined when it holds no such credential.
   */
  recognize?(
    text: string,
    ctx: CredentialRecognizeContext,
  ): RecognizedCredential<TField> | undefined;
  /** Default true: without it the toolkit's tools cannot work. */
  readonly required?: boolean;
}

/** What `recognize` may use besides the message. */
export interface CredentialRecognizeContext {
  /**
   * The non-secret values the user's stored credential holds (server URL, email), or `{}`: a
   * pasted token may need them to be usable. Never secret values.
   */
  readonly stored: Readonly<Record<string, string>>;
}

/**
 * A credential found in a chat message. `matched` decides what is redacted and must depend on
 * the text alone: the runtime redacts every earlier message again on each turn (clients re-send
 * the whole conversation) and stored turns are found by the redacted text, so the same text must
 * always give the same `matched`. `values` may use the context too (it only decides what is stored).
 */
export interface RecognizedCredential<TField extends string = string> {
  /** Every exact substring of the text that is secret; each is replaced by a fixed marker. */
  readonly matched: readonly string[];
  /** What to check with `validate` and store; fields left out are stored empty. */
  readonly values?: Readonly<Partial<Record<TField, string>>>;
  /**
   * Why there are no `values` (the message lacks what the token needs, such as a server URL):
   * one sentence shown to the user as is. Never quote the secret here.
   */
  readonly missing?: string;
}

/** An OAuth 2 grant the user gives on the provider's consent page. */
export interface OAuth2Credential {
  readonly kind: "oauth2";
  readonly title: string;
  readonly provider: "google";
  readonly scopes: readonly string[];
  readonly required?: boolean;
}

export type CredentialDefinition = ApiTokenCredential | OAuth2Credential;

/**
 * A tool's view of its toolkit's credential for the current user. For an `api-token`
 * credential `get()` returns the field values by name; for `oauth2`, `{ accessToken, email }`
 * with an access token the runtime keeps fresh.
 */
export interface ToolCredential {
  /** Whether the current user has connected this toolkit (false for anonymous requests). */
  connected(): Promise<boolean>;
  /**
   * The values. Throws {@link CredentialRequiredError} when the user has not connected (or the
   * stored credential no longer works): the runtime then ends the run with a connect link for
   * the user instead of an error. Never return these values from a tool.
   */
  get(options?: CredentialGetOptions): Promise<Readonly<Record<string, string>>>;
  /**
   * The service refused the credential (401): the runtime forgets it and the run answers with
   * a connect link. For `oauth2`, first retry once with `get({ refresh: true })`: an access
   * token may be revoked before its expiry while the grant still works.
   */
  rejected(reason: string): Promise<never>;
}

export interface CredentialGetOptions {
  /** `oauth2`: get a new access token even if the current one has not expired (after a 401). */
  readonly refresh?: boolean;
}

/** Thrown by {@link ToolCredential.get} (or by a tool) when the user must connect first. */
export class CredentialRequiredError extends Error {
  override readonly name = "CredentialRequiredError";
  constructor(
    /** The toolkit whose credential is missing. */
    readonly toolkit: string,
    /** Why, for logs and for the user: "not connected", "Jira refused the token". */
    readonly reason = "not connected",
  ) {
    super(`${toolkit}: ${reason}`);
  }
}

/**
 * The credential view of a toolkit that declares no credential (and what a test of such a
 * toolkit can pass): never connected, and `get()` names the mistake.
 */
export function undeclaredCredential(toolkit: string): ToolCredential {
  const fail = async (): Promise<never> => {
    throw new Error(
      `toolkit '${toolkit}' declares no credential; add one with defineToolkit({ credential })`,
    );
  };
  return { connected: async () => false, get: fail, rejected: fail };
}
