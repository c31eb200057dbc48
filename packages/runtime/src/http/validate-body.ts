import type { z } from "zod";
import { ApiError } from "./errors.ts";

/** Parses a request body with zod; the first problem becomes a 400 naming the field. */
export function validateBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  if (body === undefined || body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new ApiError({
      status: 400,
      type: "invalid_request_error",
      code: "invalid_body",
      message: "The request body must be a JSON object (Content-Type: application/json).",
    });
  }
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const param = issue?.path.map(String).join(".") || null;
  const others = parsed.error.issues.length - 1;
  throw new ApiError({
    status: 400,
    type: "invalid_request_error",
    code: "invalid_request",
    message: `${param ?? "body"}: ${issue?.message ?? "invalid"}${others > 0 ? ` (and ${others} more problem${others > 1 ? "s" : ""})` : ""}`,
    param,
  });
}
