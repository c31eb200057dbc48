/** Google's error JSON, the body of every non-2xx answer from the Gemini API. */
export interface GoogleErrorBody {
  error: { code: number; message: string; status: string; details?: unknown[] };
}

/** The canonical `google.rpc.Code` name Google's HTTP mapping gives each status. */
const statusNames: Readonly<Record<number, string>> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  409: "ABORTED",
  429: "RESOURCE_EXHAUSTED",
  499: "CANCELLED",
  500: "INTERNAL",
  501: "UNIMPLEMENTED",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};

/** Messages modelled on what generativelanguage.googleapis.com says. */
const defaultMessages: Readonly<Record<number, string>> = {
  400: "Request contains an invalid argument.",
  401: "Request had invalid authentication credentials.",
  403: "The caller does not have permission",
  404: "Requested entity was not found.",
  429:
    "You exceeded your current quota, please check your plan and billing details. " +
    "For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.",
  500:
    "An internal error has occurred. Please retry or report in " +
    "https://developers.generativeai.google/guide/troubleshooting",
  503: "The model is overloaded. Please try again later.",
  504: "Deadline expired before operation could complete.",
};

export function googleStatusName(code: number): string {
  return statusNames[code] ?? (code >= 500 ? "UNKNOWN" : "FAILED_PRECONDITION");
}

export function googleError(code: number, message?: string, details?: unknown[]): GoogleErrorBody {
  const error: GoogleErrorBody["error"] = {
    code,
    message: message ?? defaultMessages[code] ?? `HTTP ${code}`,
    status: googleStatusName(code),
  };
  if (details !== undefined && details.length > 0) error.details = details;
  return { error };
}

/** `google.protobuf.Duration` JSON: seconds with an `s` suffix, e.g. "38s" or "1.5s". */
export function durationJson(seconds: number): string {
  return `${Number(seconds.toFixed(3))}s`;
}

/** The details a quota 429 carries: QuotaFailure, Help and, when known, RetryInfo. */
export function rateLimitDetails(retryAfterSeconds?: number): unknown[] {
  const details: unknown[] = [
    {
      "@type": "type.googleapis.com/google.rpc.QuotaFailure",
      violations: [
        {
          quotaMetric: "generativelanguage.googleapis.com/generate_content_free_tier_requests",
          quotaId: "GenerateRequestsPerMinutePerProjectPerModel-FreeTier",
          quotaValue: "10",
        },
      ],
    },
    {
      "@type": "type.googleapis.com/google.rpc.Help",
      links: [
        {
          description: "Learn more about Gemini API quotas",
          url: "https://ai.google.dev/gemini-api/docs/rate-limits",
        },
      ],
    },
  ];
  if (retryAfterSeconds !== undefined) {
    details.push({
      "@type": "type.googleapis.com/google.rpc.RetryInfo",
      retryDelay: durationJson(retryAfterSeconds),
    });
  }
  return details;
}

/** The 400 the real API gives for a key it does not know. */
export function invalidApiKeyError(): GoogleErrorBody {
  return googleError(400, "API key not valid. Please pass a valid API key.", [
    {
      "@type": "type.googleapis.com/google.rpc.ErrorInfo",
      reason: "API_KEY_INVALID",
      domain: "googleapis.com",
      metadata: { service: "generativelanguage.googleapis.com" },
    },
  ]);
}

/** The 403 the real API gives a request with no key at all. */
export function missingApiKeyError(): GoogleErrorBody {
  return googleError(
    403,
    "Method doesn't allow unregistered callers (callers without established identity). " +
      "Please use API Key or other form of API consumer identity to call this API.",
  );
}
