import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from "node:crypto";

/**
 * Fernet (https://github.com/fernet/spec, Spec.md): authenticated symmetric encryption, the
 * format Python's `cryptography.fernet` reads and writes, so a token made by either decrypts in
 * the other. Built on node:crypto only (docs/architecture.md, "Libraries, and why").
 *
 * token = base64url(0x80 ‖ timestamp (64-bit big-endian seconds) ‖ IV (16) ‖ AES-128-CBC
 * ciphertext (PKCS7) ‖ HMAC-SHA256 over everything before it); key = base64url(signing key (16)
 * ‖ encryption key (16)).
 */

const VERSION = 0x80;
const KEY_BYTES = 32;
const IV_BYTES = 16;
const BLOCK_BYTES = 16;
const HMAC_BYTES = 32;
/** version + timestamp + IV + one block of ciphertext (the shortest, for an empty message) + HMAC. */
const MIN_TOKEN_BYTES = 1 + 8 + IV_BYTES + BLOCK_BYTES + HMAC_BYTES;
/**
 * How far in the future a token's timestamp may lie when a TTL is checked (clocks of two hosts
 * disagree a little); the value `cryptography.fernet` uses.
 */
export const MAX_CLOCK_SKEW_SECONDS = 60;

/** url-safe base64 with or without its `=` padding, nothing else (Node's decoder skips junk). */
const BASE64URL = /^[A-Za-z0-9_-]*={0,2}$/;

/** A key that is not 32 bytes of url-safe base64. Never carries the value it was given. */
export class InvalidFernetKeyError extends Error {
  override readonly name = "InvalidFernetKeyError";
}

/**
 * A token that does not decrypt under this key: malformed, tampered with, made with another
 * key, or expired. `reason` says which, for logs; never the token or its content.
 */
export class InvalidFernetTokenError extends Error {
  override readonly name = "InvalidFernetTokenError";
  constructor(readonly reason: string) {
    super(`invalid Fernet token: ${reason}`);
  }
}

export interface EncryptOptions {
  /** The token's timestamp; default now. For tests and the spec's vectors. */
  readonly now?: Date;
  /** 16 bytes; default random. Only the spec's test vectors fix it. */
  readonly iv?: Uint8Array;
}

export interface DecryptOptions {
  /** Reject tokens older than this many seconds (and ones dated too far ahead). Default: none. */
  readonly ttlSeconds?: number;
  readonly now?: Date;
}

/** A fresh random key in the form Python's `Fernet.generate_key()` prints (padded base64url). */
export function generateFernetKey(): string {
  return toPaddedBase64url(randomBytes(KEY_BYTES));
}

export class Fernet {
  readonly #signingKey: Buffer;
  readonly #encryptionKey: Buffer;

  /** `key`: 32 bytes in url-safe base64 (padded or not), or the 32 bytes themselves. */
  constructor(key: string | Uint8Array) {
    const bytes = typeof key === "string" ? decodeKey(key) : Buffer.from(key);
    if (bytes.length !== KEY_BYTES) {
      throw new InvalidFernetKeyError(`a Fernet key is ${KEY_BYTES} bytes, not ${bytes.length}`);
    }
    this.#signingKey = bytes.subarray(0, 16);
    this.#encryptionKey = bytes.subarray(16);
  }

  /**
   * A 32-byte key for another purpose (HKDF-SHA256 over this key, `info` naming the purpose),
   * so one configured secret can sign other things without reusing the Fernet key itself.
   */
  deriveKey(info: string): Uint8Array {
    const key = Buffer.concat([this.#signingKey, this.#encryptionKey]);
    return new Uint8Array(hkdfSync("sha256", key, new Uint8Array(0), info, 32));
  }

  encrypt(plaintext: string | Uint8Array, options: EncryptOptions = {}): string {
    const iv = options.iv ? Buffer.from(options.iv) : randomBytes(IV_BYTES);
    if (iv.length !== IV_BYTES) throw new RangeError(`the IV must be ${IV_BYTES} bytes`);
    const header = Buffer.alloc(1 + 8);
    header.writeUInt8(VERSION, 0);
    header.writeBigUInt64BE(BigInt(unixSeconds(options.now ?? new Date())), 1);
    const cipher = createCipheriv("aes-128-cbc", this.#encryptionKey, iv);
    const data = typeof plaintext === "string" ? Buffer.from(plaintext, "utf8") : plaintext;
    const signed = Buffer.concat([header, iv, cipher.update(data), cipher.final()]);
    const token = Buffer.concat([signed, this.#hmac(signed)]);
    return toPaddedBase64url(token);
  }

  /** The plaintext bytes; throws {@link InvalidFernetTokenError} saying why it will not decrypt. */
  decrypt(token: string, options: DecryptOptions = {}): Buffer {
    if (!BASE64URL.test(token) || token.length % 4 === 1) {
      throw new InvalidFernetTokenError("not url-safe base64");
    }
    const bytes = Buffer.from(token, "base64url");
    if (bytes.length < MIN_TOKEN_BYTES) throw new InvalidFernetTokenError("too short");
    if (bytes[0] !== VERSION) throw new InvalidFernetTokenError("unknown version");
    const timestamp = Number(bytes.readBigUInt64BE(1));
    // The MAC before anything inside the token is used: only its version byte is read earlier.
    const signed = bytes.subarray(0, bytes.length - HMAC_BYTES);
    const mac = bytes.subarray(bytes.length - HMAC_BYTES);
    if (!timingSafeEqual(mac, this.#hmac(signed))) {
      throw new InvalidFernetTokenError("signature does not match (another key, or altered)");
    }
    if (options.ttlSeconds !== undefined) {
      const now = unixSeconds(options.now ?? new Date());
      if (timestamp + options.ttlSeconds < now) throw new InvalidFernetTokenError("expired");
      if (timestamp > now + MAX_CLOCK_SKEW_SECONDS) {
        throw new InvalidFernetTokenError("dated in the future");
      }
    }
    const iv = signed.subarray(9, 9 + IV_BYTES);
    const ciphertext = signed.subarray(9 + IV_BYTES);
    if (ciphertext.length % BLOCK_BYTES !== 0) {
      throw new InvalidFernetTokenError("ciphertext is not a whole number of blocks");
    }
    try {
      const decipher = createDecipheriv("aes-128-cbc", this.#encryptionKey, iv);
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
    } catch {
      throw new InvalidFernetTokenError("bad padding");
    }
  }

  #hmac(data: Buffer): Buffer {
    return createHmac("sha256", this.#signingKey).update(data).digest();
  }
}

function decodeKey(key: string): Buffer {
  const trimmed = key.trim();
  if (!BASE64URL.test(trimmed)) {
    throw new InvalidFernetKeyError(
      "a Fernet key is url-safe base64 (A-Z a-z 0-9 - _, optional = padding)",
    );
  }
  return Buffer.from(trimmed, "base64url");
}

function unixSeconds(date: Date): number {
  const ms = date.getTime();
  if (!Number.isFinite(ms) || ms < 0)
    throw new RangeError("the time must be a valid date after 1970");
  return Math.floor(ms / 1000);
}

/** Python's `urlsafe_b64encode` output: `-_` alphabet with `=` padding (Node's base64url has none). */
function toPaddedBase64url(bytes: Buffer): string {
  return bytes.toString("base64").replaceAll("+", "-").replaceAll("/", "_");
}
