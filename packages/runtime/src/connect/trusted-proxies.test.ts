import { describe, expect, it } from "vitest";
import { MAX_TRUSTED_HOPS, parseTrustedProxies } from "./trusted-proxies.ts";

describe("parseTrustedProxies (AGENTLLM_TRUST_PROXY)", () => {
  it.each([
    [undefined, false],
    ["", false],
    [" 0 ", false],
    ["false", false],
    ["1", 1],
    [String(MAX_TRUSTED_HOPS), MAX_TRUSTED_HOPS],
    ["10.0.0.0/8, loopback", ["10.0.0.0/8", "loopback"]],
    ["fd00::/8,uniquelocal,", ["fd00::/8", "uniquelocal"]],
    ["192.168.1.7", ["192.168.1.7"]],
  ])("takes %o as %o", (raw, expected) => {
    expect(parseTrustedProxies(raw)).toEqual(expected);
  });

  it.each([
    [String(MAX_TRUSTED_HOPS + 1), /more than 10/],
    ["true", /would trust any X-Forwarded-For/],
    ["10.0.0.0/33", /10\.0\.0\.0\/33 is not an address/],
    ["ingress-nginx", /ingress-nginx is not an address/],
    ["10.0.0.1, -1", /-1 is not an address/],
  ])("refuses %o", (raw, message) => {
    expect(() => parseTrustedProxies(raw)).toThrow(message);
  });
});
