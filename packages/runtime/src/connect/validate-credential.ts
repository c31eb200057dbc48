import type { ApiTokenCredential, CredentialCheck } from "@agentllm/sdk";
import { SpanStatusCode } from "@opentelemetry/api";
import { runtimeFetch } from "../tracing/traced-fetch.ts";
import { inSpan } from "../tracing/tracer.ts";

export type ValidationOutcome =
  | CredentialCheck
  | { readonly ok: false; readonly failure: "timeout" | "error"; readonly error?: unknown };

/**
 * Runs the toolkit's `validate` with the request's signal plus a timeout. A check that ignores
 * its signal is not waited for past the timeout. No `validate`: the values are taken as given.
 * The check is a `credential check <toolkit>` span, its HTTP requests (through the runtime's
 * `fetch`) client spans below it.
 */
export async function validateCredential(
  credential: ApiTokenCredential,
  values: Readonly<Record<string, string>>,
  options: { toolkit: string; timeoutMs: number; signal: AbortSignal },
): Promise<ValidationOutcome> {
  const validate = credential.validate?.bind(credential);
  if (!validate) return { ok: true };
  return inSpan(
    `credential check ${options.toolkit}`,
    { attributes: { "agentllm.toolkit": options.toolkit } },
    async (span) => {
      const outcome = await boundedCheck(validate, values, options);
      // Which way it went, never why: a refusal's message and an error's may quote the values.
      span.setAttribute("agentllm.credential_check.outcome", outcomeName(outcome));
      if ("failure" in outcome) {
        span.setAttribute(
          "error.type",
          outcome.failure === "timeout"
            ? "timeout"
            : outcome.error instanceof Error
              ? outcome.error.name
              : typeof outcome.error,
        );
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      return outcome;
    },
  );
}

function outcomeName(outcome: ValidationOutcome): "ok" | "refused" | "timeout" | "error" {
  if (outcome.ok) return "ok";
  return "failure" in outcome ? outcome.failure : "refused";
}

async function boundedCheck(
  validate: NonNullable<ApiTokenCredential["validate"]>,
  values: Readonly<Record<string, string>>,
  options: { timeoutMs: number; signal: AbortSignal },
): Promise<ValidationOutcome> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = AbortSignal.any([options.signal, timeout]);
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<ValidationOutcome>((resolve) => {
    onAbort = () => resolve({ ok: false, failure: "timeout" });
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([
      validate(values, { signal, fetch: runtimeFetch }).then(
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
