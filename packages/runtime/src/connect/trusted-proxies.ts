import proxyAddr from "proxy-addr";

/**
 * Which reverse proxies in front of the connect pages may say who the client is
 * (`X-Forwarded-For`), as Express's `trust proxy` setting takes it: `false` (none: the TCP peer
 * is the client), a number of hops (the last N addresses are proxies), or addresses and subnets
 * (`10.0.0.0/8`, `loopback`, `uniquelocal`). The per-address rate limit counts the client this
 * yields, so behind an Ingress each user has their own budget instead of sharing the
 * controller's.
 */
export type TrustedProxies = false | number | readonly string[];

/** More hops than any real chain of proxies: a larger number is a typo. */
export const MAX_TRUSTED_HOPS = 10;

/** Parses AGENTLLM_TRUST_PROXY; throws an Error whose message says what is wrong. */
export function parseTrustedProxies(raw: string | undefined): TrustedProxies {
  const value = (raw ?? "").trim();
  if (value === "" || value === "0" || value.toLowerCase() === "false") return false;
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops > MAX_TRUSTED_HOPS) {
      throw new Error(`${value} hops is more than ${MAX_TRUSTED_HOPS}`);
    }
    return hops;
  }
  if (value.toLowerCase() === "true") {
    // Every hop trusted: any client could name any address and escape its limit.
    throw new Error("true would trust any X-Forwarded-For; give a hop count or addresses");
  }
  const entries = value
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  for (const entry of entries) {
    try {
      proxyAddr.compile(entry);
    } catch {
      throw new Error(
        `${entry.slice(0, 60)} is not an address, a subnet, loopback, linklocal or uniquelocal`,
      );
    }
  }
  return Object.freeze(entries);
}
