import type { Content } from "@google/genai";
import { describe, expect, it } from "vitest";
import { PrefixHasher } from "../conversation/history-key.ts";
import { replyIn } from "./approvals.ts";

const user = (text: string): Content => ({ role: "user", parts: [{ text }] });
const model = (text: string): Content => ({ role: "model", parts: [{ text }] });

describe("replyIn", () => {
  const asked = [user("comment please"), model("Approval needed … reply approve")];
  const key = new PrefixHasher()
    .addContent(asked[0] as Content)
    .addContent(asked[1] as Content)
    .key();

  it("reads the one text message after the last answer, keyed by the history up to that answer", () => {
    expect(replyIn([...asked, user("approve")])).toEqual({ prefixKey: key, reply: "approve" });
    expect(replyIn([...asked, user("no")])).toEqual({ prefixKey: key, reply: "decline" });
  });

  it("takes several messages, or one with an attachment, as 'other'", () => {
    expect(replyIn([...asked, user("approve"), user("approve")])?.reply).toBe("other");
    const withImage: Content = {
      role: "user",
      parts: [{ text: "approve" }, { inlineData: { mimeType: "image/png", data: "AAAA" } }],
    };
    expect(replyIn([...asked, withImage])?.reply).toBe("other");
  });

  it("finds no reply in a Continue or a first message", () => {
    expect(replyIn(asked)).toBeUndefined();
    expect(replyIn([user("approve")])).toBeUndefined();
  });
});
