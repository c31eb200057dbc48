// `node --import tsx scripts/user-token.ts USER_ID`: a user identity JWT shaped like the one Open
// WebUI sends with FORWARD_USER_INFO_HEADER_JWT_SECRET (HS256; sub, name, role, iss, iat, exp),
// signed with AGENTLLM_IDENTITY_JWT_SECRET, so `just hello` works when the proxy trusts only
// signed identities. It proves nothing the secret's holder could not do anyway.
import { createHmac } from "node:crypto";

/** Open WebUI's default lifetime (FORWARD_USER_INFO_HEADER_JWT_EXPIRES_SECONDS). */
const LIFETIME_S = 300;

export function signUserToken(userId: string, secret: string, now = Date.now()): string {
  const iat = Math.floor(now / 1000);
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const unsigned = `${encode({ alg: "HS256", typ: "JWT" })}.${encode({
    sub: userId,
    name: userId,
    role: "user",
    iss: "open-webui",
    iat,
    exp: iat + LIFETIME_S,
  })}`;
  // The bridge strips the secret as Open WebUI does; sign with the same bytes it verifies with.
  const signature = createHmac("sha256", secret.trim()).update(unsigned).digest("base64url");
  return `${unsigned}.${signature}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [userId] = process.argv.slice(2);
  const secret = process.env.AGENTLLM_IDENTITY_JWT_SECRET ?? "";
  if (!userId || !secret.trim()) {
    process.stderr.write("usage: AGENTLLM_IDENTITY_JWT_SECRET=... user-token.ts USER_ID\n");
    process.exit(2);
  }
  process.stdout.write(`${signUserToken(userId, secret)}\n`);
}
