import { describe, expect, it } from "vitest";
import { classifyReply } from "./approval-reply.ts";

describe("classifyReply", () => {
  it.each(["approve", "Approve.", "  YES!", "yes please", "ok", "**approve**", "Go ahead"])(
    "takes %j as approval",
    (text) => expect(classifyReply(text)).toBe("approve"),
  );

  it.each(["decline", "No", "cancel.", "don’t", "Do not"])("takes %j as declining", (text) =>
    expect(classifyReply(text)).toBe("decline"),
  );

  it.each([
    "yes, but first tell me what DEMO-2 says",
    "approve and also close it",
    "what is the weather?",
    "",
    "y".repeat(10_000),
    "I don't know",
  ])("takes %j as neither (the request is not approved)", (text) =>
    expect(classifyReply(text)).toBe("other"),
  );
});
