import { createSign, generateKeyPairSync, type KeyObject, randomBytes } from "node:crypto";

/**
 * The fake's signing key and JWKS: ID tokens are RS256 JWTs a client can verify against
 * `/oauth2/v3/certs`, as with Google's own keys.
 */
export class IdTokenSigner {
  readonly #privateKey: KeyObject;
  readonly #jwk: Record<string, unknown>;

  constructor() {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    this.#privateKey = privateKey;
    const kid = randomBytes(8).toString("hex");
    this.#jwk = { ...publicKey.export({ format: "jwk" }), kid, alg: "RS256", use: "sig" };
  }

  get jwks(): { keys: Record<string, unknown>[] } {
    return { keys: [this.#jwk] };
  }

  sign(claims: Record<string, unknown>): string {
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const unsigned = `${encode({ alg: "RS256", kid: this.#jwk.kid, typ: "JWT" })}.${encode(claims)}`;
    const signature = createSign("RSA-SHA256").update(unsigned).sign(this.#privateKey, "base64url");
    return `${unsigned}.${signature}`;
  }
}
