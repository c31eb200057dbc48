import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type StackFixture, startStackFixture } from "./stack-fixture.ts";

// The demo agent answers from its knowledge base (packages/agent-demo/knowledge/, a made-up
// paint maker no model knows) through the real LiteLLM proxy: the fake Gemini is scripted to
// call search_knowledge, then its default rules summarise the tool result it is sent, as a
// model quoting its sources would.

const MODEL = "agno/demo-agent";
const CITE = "company.md § Quillmoor Pigments > Policies > Returns and refunds";
type Chunk = { event?: unknown; choices?: { delta?: { content?: string | null } }[] };
type SearchResult = { mode: string; results: { cite: string; text: string }[] };

describe("the demo agent's knowledge base through the real LiteLLM proxy", () => {
  let fx: StackFixture;

  beforeAll(async () => {
    fx = await startStackFixture();
  });

  afterAll(async () => {
    await fx?.close();
  });

  it("searches it, and the tool result and the answer cite the file and section", async () => {
    fx.gemini.enqueue({
      parts: [
        {
          functionCall: {
            name: "search_knowledge",
            args: { query: "refund for an opened tube", limit: 3 },
          },
        },
      ],
    });
    const response = await fetch(`${fx.stack.proxyUrl}/v1/chat/completions`, {
      method: "POST",
      headers: {
        Authorization: `Bearer ${fx.stack.masterKey}`,
        "Content-Type": "application/json",
        "X-OpenWebUI-User-Id": "odile",
        "X-OpenWebUI-Chat-Id": "knowledge-refunds",
      },
      body: JSON.stringify({
        model: MODEL,
        stream: true,
        messages: [{ role: "user", content: "Can I get a refund for an opened tube of paint?" }],
      }),
    });
    expect(response.status).toBe(200);
    const chunks = (await response.text())
      .split("\n")
      .filter((line) => line.startsWith("data: ") && line !== "data: [DONE]")
      .map((line) => JSON.parse(line.slice(6)) as Chunk);

    const declared = fx.gemini.requests[0]?.body.tools?.flatMap(
      (t) => t.functionDeclarations ?? [],
    );
    expect(declared?.map((fn) => fn.name)).toContain("search_knowledge");
    const followUp = await fx.gemini.waitForRequest((request) =>
      (request.body.contents ?? []).some((c) => c.parts?.some((p) => p.functionResponse)),
    );
    const result = followUp.body.contents
      ?.flatMap((content) => content.parts ?? [])
      .find((part) => part.functionResponse?.name === "search_knowledge")?.functionResponse
      ?.response as { output?: SearchResult } & SearchResult;
    const search = result.output ?? result;
    expect(search.mode).toBe("hybrid");
    expect(search.results[0]?.cite).toBe(CITE);
    expect(search.results[0]?.text).toContain("QM-2024-117");

    const events = chunks.flatMap((chunk) => (chunk.event ? [chunk.event] : []));
    expect(events).toContainEqual({
      type: "status",
      data: { description: "Searching the knowledge base…", done: false },
    });
    const answer = chunks.map((chunk) => chunk.choices?.[0]?.delta?.content ?? "").join("");
    expect(answer).toContain(CITE);
    expect(answer).toContain("QM-2024-117");
    // Chunks and the query embedded through the fake's batchEmbedContents.
    expect(fx.gemini.embedRequests.map((request) => request.method)).toEqual([
      "batchEmbedContents",
      "batchEmbedContents",
    ]);
  });
});
