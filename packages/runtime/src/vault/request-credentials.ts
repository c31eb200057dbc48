import {
  type CredentialGetOptions,
  CredentialRequiredError,
  type PluginLogger,
  type ToolCredential,
  type ToolkitDefinition,
  undeclaredCredential,
} from "@agentllm/sdk";
import type { GoogleOAuth } from "../oauth/google-oauth.ts";
import type { CredentialVault, StoredCredential } from "./credential-vault.ts";
import { freshOAuthAccess } from "./oauth-access.ts";
import { secretForms } from "./scrub-secrets.ts";

/** Why a credential is missing when none was ever stored (`CredentialRequiredError.reason`). */
export const NOT_CONNECTED = "not connected";
/** Why a credential is missing on a request that names no user: there is nobody to store one for. */
export const NO_SIGNED_IN_USER = "no signed-in user";

/**
 * True when the credential is missing because it was never stored, not because a service
 * refused it: a step to take (connect, sign in), not a failure of the call.
 */
export function neverConnected(reason: string): boolean {
  return reason === NOT_CONNECTED || reason === NO_SIGNED_IN_USER;
}

/** What the model may be told about one toolkit's credential: never a value of a secret field. */
export interface ConnectionStatus {
  readonly toolkit: string;
  /** The credential's title, "Jira". */
  readonly title: string;
  readonly connected: boolean;
  /** The stored non-secret metadata (server URL, account name), when connected. */
  readonly metadata: Readonly<Record<string, string>>;
}

/**
 * One request's view of the current user's credentials: the tools' `ctx.credential` and the
 * secret values to scrub from their results. The vault is read at most once per toolkit in a
 * request (the promise is kept, so parallel tool calls share the read); `rejected` forgets the
 * credential in the vault and in this cache. Keyed by the user id the bridge resolved, and
 * nothing else: a request without one has no credentials at all.
 */
export class RequestCredentials {
  readonly #vault: CredentialVault | undefined;
  readonly #userId: string | undefined;
  readonly #logger: PluginLogger;
  readonly #google: GoogleOAuth | undefined;
  readonly #reads = new Map<string, Promise<StoredCredential | undefined>>();
  // Every secret value read in this request, kept after a rejection: a result may still echo it.
  readonly #secrets = new Set<string>();

  constructor(
    vault: CredentialVault | undefined,
    userId: string | undefined,
    logger: PluginLogger,
    /** Renews the access tokens of `oauth2` credentials; none configured: they cannot be used. */
    google?: GoogleOAuth,
  ) {
    this.#vault = vault;
    this.#userId = userId;
    this.#logger = logger;
    this.#google = google;
  }

  /** `ctx.credential` for a tool of `toolkit`. */
  forToolkit(toolkit: ToolkitDefinition): ToolCredential {
    if (!toolkit.credential) return undeclaredCredential(toolkit.name);
    const name = toolkit.name;
    const kind = toolkit.credential.kind;
    const get = async (
      options: CredentialGetOptions = {},
    ): Promise<Readonly<Record<string, string>>> => {
      const stored = await this.#read(name);
      if (!stored) {
        throw new CredentialRequiredError(
          name,
          this.#userId === undefined ? NO_SIGNED_IN_USER : NOT_CONNECTED,
        );
      }
      if (kind === "oauth2" && this.#vault) {
        const { values, stored: current } = await freshOAuthAccess({
          stored,
          google: this.#google,
          vault: this.#vault,
          force: options.refresh === true,
          logger: this.#logger,
          onSecret: (value) => this.#secrets.add(value),
        });
        // Later calls in this request use the renewed token rather than refreshing again.
        if (current !== stored) this.#reads.set(name, Promise.resolve(current));
        return values;
      }
      // Field name → value; the field's `secret` flag only says where the vault keeps it.
      return Object.freeze({ ...stored.metadata, ...stored.secrets });
    };
    return {
      connected: async () => (await this.#read(name)) !== undefined,
      get,
      rejected: async (reason: string): Promise<never> => {
        if (this.#userId !== undefined && this.#vault) {
          this.#reads.set(name, Promise.resolve(undefined));
          const removed = await this.#vault.remove(this.#userId, name);
          this.#logger.info(
            { toolkit: name, removed },
            "credential rejected by the service, forgotten",
          );
        }
        throw new CredentialRequiredError(name, reason);
      },
    };
  }

  /** Connected or not, with non-secret metadata, for each toolkit that declares a credential. */
  async statuses(toolkits: readonly ToolkitDefinition[]): Promise<ConnectionStatus[]> {
    const declared = toolkits.filter((toolkit) => toolkit.credential);
    return Promise.all(
      declared.map(async (toolkit) => {
        const stored = await this.#read(toolkit.name);
        return {
          toolkit: toolkit.name,
          title: toolkit.credential?.title ?? toolkit.name,
          connected: stored !== undefined,
          metadata: stored?.metadata ?? {},
        };
      }),
    );
  }

  /**
   * Deletes the user's credential for `toolkit` (the user asked to disconnect it); later tool
   * calls in this request see it gone. Returns how many were removed (0: it was not connected).
   */
  async disconnect(toolkit: string): Promise<number> {
    if (!this.#vault || this.#userId === undefined) return 0;
    const removed = await this.#vault.remove(this.#userId, toolkit);
    this.#reads.set(toolkit, Promise.resolve(undefined));
    this.#logger.info({ toolkit, removed }, "credential disconnected by the user");
    return removed;
  }

  /** The secret values read so far, in the forms to scrub (see scrub-secrets.ts). */
  scrubForms(): string[] {
    return secretForms(this.#secrets);
  }

  #read(toolkit: string): Promise<StoredCredential | undefined> {
    const vault = this.#vault;
    const userId = this.#userId;
    if (!vault || userId === undefined) return Promise.resolve(undefined);
    let read = this.#reads.get(toolkit);
    if (!read) {
      read = vault.get(userId, toolkit).then(
        (stored) => {
          for (const value of Object.values(stored?.secrets ?? {})) this.#secrets.add(value);
          return stored;
        },
        (error: unknown) => {
          // The database's message is for the operator, not for the model.
          this.#logger.error({ toolkit, err: (error as Error)?.message }, "vault read failed");
          throw new Error(`could not read the saved ${toolkit} credential; try again later`);
        },
      );
      // A failed read is not cached: the next tool call may try again.
      read.catch(() => this.#reads.delete(toolkit));
      this.#reads.set(toolkit, read);
    }
    return read;
  }
}
