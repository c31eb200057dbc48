/**
 * The database could not count a request against a connect page's rate limit. The page is
 * refused (503), not served uncounted: a limit that opens whenever its database struggles is
 * no limit, and the pages need that database for the ticket anyway.
 */
export class RateLimitStoreError extends Error {
  override readonly name = "RateLimitStoreError";
  constructor(options: { cause: unknown }) {
    // Not the cause's message: a driver's message may quote the key (an address).
    super("the rate-limit count could not be read or written", options);
  }
}
