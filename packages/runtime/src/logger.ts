import { type Logger, pino } from "pino";

export type { Logger };

/**
 * JSON logs on stdout. Secrets must never reach them: the redact list is a safety net for
 * the fields that could carry one, not a licence to log request bodies.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: "agentllm-runtime" },
      redact: {
        paths: [
          "req.headers.authorization",
          "headers.authorization",
          "authorization",
          "apiKey",
          "token",
          "*.apiKey",
          "*.token",
        ],
        censor: "[redacted]",
      },
    },
    destination,
  );
}
