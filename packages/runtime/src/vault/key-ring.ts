import { Fernet, InvalidFernetKeyError, InvalidFernetTokenError } from "./fernet.ts";

/** The variable that holds the keys; named in every message about them. */
export const KEY_VARIABLE = "AGENTLLM_TOKEN_ENCRYPTION_KEY";

/**
 * Most keys one ring holds. A token no key opens costs one HMAC per key, and every credential
 * read of a user whose row an old key wrote tries the keys in order: a rotation needs two or
 * three, so 16 is room for mistakes, not a design.
 */
export const MAX_KEYS = 16;

/** How to make a key, for messages (never a key itself). */
export const HOW_TO_MAKE_A_KEY =
  "`npx just secrets` generates one into .env.secrets, or make one with " +
  `python3 -c "import base64,os;print(base64.urlsafe_b64encode(os.urandom(32)).decode())"`;

/** The variable is unusable; the message names the entry by position, never its value. */
export class KeyRingError extends Error {
  override readonly name = "KeyRingError";
}

/**
 * The credential vault's keys, as `AGENTLLM_TOKEN_ENCRYPTION_KEY` lists them (comma-separated):
 * the first encrypts, every one decrypts, like Python's `MultiFernet`. That is what makes a
 * rotation possible without a moment where stored credentials do not open: add the new key in
 * front, re-encrypt (`just rotate-key`), then drop the old one.
 *
 * Holds the keys in private fields only, so logging or serialising a ring shows nothing.
 */
export class KeyRing {
  readonly #fernets: readonly Fernet[];

  private constructor(fernets: readonly Fernet[]) {
    this.#fernets = fernets;
  }

  /** Parses the variable's value; throws {@link KeyRingError} naming the bad entry's position. */
  static parse(value: string): KeyRing {
    const entries = value.split(",").map((entry) => entry.trim());
    if (entries.length > MAX_KEYS) {
      throw new KeyRingError(`holds ${entries.length} keys; at most ${MAX_KEYS}`);
    }
    const fernets = entries.map((entry, index) => {
      const position = entries.length === 1 ? "the key" : `key ${index + 1} of ${entries.length}`;
      if (entry === "") throw new KeyRingError(`${position} is empty (${HOW_TO_MAKE_A_KEY})`);
      try {
        return new Fernet(entry);
      } catch (error) {
        if (!(error instanceof InvalidFernetKeyError)) throw error;
        throw new KeyRingError(
          `${position} is not a Fernet key: 32 bytes in url-safe base64 (${error.message}; ${HOW_TO_MAKE_A_KEY})`,
        );
      }
    });
    return new KeyRing(fernets);
  }

  get size(): number {
    return this.#fernets.length;
  }

  /** A key for another purpose derived from the first key (see `Fernet.deriveKey`). */
  deriveKey(info: string): Uint8Array {
    return (this.#fernets[0] as Fernet).deriveKey(info);
  }

  /** A Fernet token of `plaintext` under the first key. */
  encrypt(plaintext: string): string {
    return (this.#fernets[0] as Fernet).encrypt(plaintext);
  }

  /**
   * The plaintext, from whichever key opens the token, and that key's position (0: the first,
   * so `just rotate-key` knows what is already current). Throws InvalidFernetTokenError when none does.
   */
  decrypt(token: string): { plaintext: string; keyIndex: number } {
    let last: InvalidFernetTokenError | undefined;
    for (const [keyIndex, fernet] of this.#fernets.entries()) {
      try {
        return { plaintext: fernet.decrypt(token).toString("utf8"), keyIndex };
      } catch (error) {
        if (!(error instanceof InvalidFernetTokenError)) throw error;
        last = error;
      }
    }
    throw new InvalidFernetTokenError(
      this.#fernets.length === 1 ? (last?.reason ?? "no key") : `no configured key opens it`,
    );
  }

  /** Only ever `[KeyRing: N keys]`, wherever a ring ends up printed. */
  toJSON(): string {
    return `[KeyRing: ${this.#fernets.length} key(s)]`;
  }
}
