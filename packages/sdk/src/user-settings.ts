/**
 * Small per-user values a toolkit remembers across sessions (a favorite color, a default
 * project). Scoped by the runtime to one user and one toolkit, so a toolkit can neither read
 * another toolkit's values nor another user's. Not for secrets: those live in the credential
 * vault, which is encrypted and never reaches the model.
 *
 * For an anonymous request (no user id) the store lives only as long as the request.
 */
export interface UserSettings {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}
