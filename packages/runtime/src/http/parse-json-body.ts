import { isUtf8 } from "node:buffer";
import express, {
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
} from "express";

/**
 * Reads every request body as JSON, whatever its Content-Type says (the bridge, curl and
 * scripts do not all set one), up to `limit` bytes after decompression. Only an object or an
 * array parses (a bare string or number is `invalid_json`); an empty body reads as `{}`. Bytes
 * that are not UTF-8 are refused rather than silently turned into U+FFFD. `onBody` sees each body's
 * size once read and before it is parsed (admission control counts it there; it may throw).
 */
export function parseJsonBody(
  limit: number,
  onBody?: (req: Request, bytes: number) => void,
): RequestHandler[] {
  return [
    acceptUtf8Spelling,
    express.json({
      limit,
      type: () => true,
      verify(req, _res, buffer, encoding) {
        onBody?.(req as Request, buffer.length);
        if (/^utf-?8$/i.test(encoding) && !isUtf8(buffer)) {
          throw Object.assign(new Error("The request body is not valid UTF-8."), {
            type: "encoding.invalid",
          });
        }
      },
    }),
  ];
}

/** `charset=utf8` is a common spelling that body-parser refuses (415); it means UTF-8. */
function acceptUtf8Spelling(req: Request, _res: Response, next: NextFunction): void {
  const type = req.headers["content-type"];
  if (type && /charset\s*=\s*"?utf8"?/i.test(type)) {
    req.headers["content-type"] = type.replace(/charset\s*=\s*"?utf8"?/i, "charset=utf-8");
  }
  next();
}
