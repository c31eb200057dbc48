import type { z } from "zod";
import { ApiError } from "./errors.ts";

type Issue = z.core.$ZodIssue;

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
  const first = parsed.error.issues[0];
  const { path, message } = first ? pinpoint(first, []) : { path: [], message: "invalid" };
  const param = path.map(String).join(".") || null;
  const others = parsed.error.issues.length - 1;
  throw new ApiError({
    status: 400,
    type: "invalid_request_error",
    code: "invalid_request",
    message: `${param ?? "body"}: ${message}${others > 0 ? ` (and ${others} more problem${others > 1 ? "s" : ""})` : ""}`,
    param,
  });
}

/**
 * A failed union says only "Invalid input". When exactly one of its options is the kind of
 * value the client sent (the others failed on the value's type, or on a part's `type`), that
 * option's own problem is the one to report, at its full path.
 */
function pinpoint(
  issue: Issue,
  prefix: readonly PropertyKey[],
): { path: PropertyKey[]; message: string } {
  const path = [...prefix, ...issue.path];
  if (issue.code === "invalid_union") {
    const candidates = issue.errors.filter((options) => !options.some(wrongKind));
    const only = candidates.length === 1 ? candidates[0]?.[0] : undefined;
    if (only) return pinpoint(only, path);
  }
  return { path, message: issue.message };
}

function wrongKind(issue: Issue): boolean {
  if (issue.path.length === 0)
    return issue.code === "invalid_type" || issue.code === "invalid_value";
  return issue.path.length === 1 && issue.path[0] === "type";
}
