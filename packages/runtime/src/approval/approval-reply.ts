/**
 * What the user's reply to an approval request means. Only a short, exact reply counts: a
 * sentence that happens to contain "yes" ("yes, but first tell me…") is not an approval, and
 * neither is anything else; that is "other", which leaves the request unapproved.
 */
export type ApprovalReply = "approve" | "decline" | "other";

const APPROVE = new Set([
  "approve",
  "approved",
  "i approve",
  "yes",
  "y",
  "yes please",
  "ok",
  "okay",
  "confirm",
  "confirmed",
  "go ahead",
  "do it",
]);
const DECLINE = new Set([
  "decline",
  "declined",
  "i decline",
  "no",
  "n",
  "no thanks",
  "cancel",
  "deny",
  "reject",
  "don't",
  "do not",
  "stop",
]);
/** Longer than any word above: a long message is read no further. */
const MAX_REPLY_CHARS = 32;

export function classifyReply(text: string): ApprovalReply {
  if (text.length > MAX_REPLY_CHARS * 4) return "other";
  const normal = text
    .toLowerCase()
    .replace(/[\u2019`]/g, "'")
    .replace(/[*_.!\s]+$/g, "")
    .replace(/^[*_\s]+/g, "")
    .replace(/\s+/g, " ")
    .trim();
  if (normal.length > MAX_REPLY_CHARS) return "other";
  if (APPROVE.has(normal)) return "approve";
  if (DECLINE.has(normal)) return "decline";
  return "other";
}
