import type { ApiTokenCredential, CredentialCheck } from "@agentllm/sdk";

export type ValidationOutcome =
  | CredentialCheck
  | { readonly ok: false; readonly failure: "timeout" | "error"; readonly error?: unknown };

/**
 * Runs the toolkit's `validate` with the request's signal plus a timeout. A check that ignores
 * its signal is not waited for past the timeout. No `validate`: the values are taken as given.
 */
export async function validateCredential(
  credential: ApiTokenCredential,
  values: Readonly<Record<string, string>>,
  options: { timeoutMs: number; signal: AbortSignal },
): Promise<ValidationOutcome> {
  if (!credential.validate) return { ok: true };
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = AbortSignal.any([options.signal, timeout]);
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<ValidationOutcome>((resolve) => {
    onAbort = () => resolve({ ok: false, failure: "timeout" });
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([
      credential.validate(values, { signal }).then(
        (check) => check,
        (error: unknown): ValidationOutcome =>
          signal.aborted
            ? { ok: false, failure: "timeout" }
            : { ok: false, failure: "error", error },
      ),
      aborted,
    ]);
  } finally {
    if (onAbort) signal.removeEventListener("abort", onAbort);
  }
}
