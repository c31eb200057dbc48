import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type StackFixture, startStackFixture } from "./stack-fixture.ts";

// Status lines through the real LiteLLM proxy, as Open WebUI reads them: the runtime's status
// chunks become chunks with a top-level `event` in the proxy's SSE (what Open WebUI hands to its
// event emitter), each tool call's start and end, all before the answer's text, none in it.

const MODEL = "agno/demo-agent";
type Chunk = {
  event?: unknown;
  choices?: { delta?: { content?: string | null } }[];
};

describe("status lines through the real LiteLLM proxy", () => {
  let fx: StackFixture;

  beforeAll(async () => {
    fx = await startStackFixture();
  });

  afterAll(async () => {
    await fx?.close();
  });

  async function post(stream: boolean): Promise<Response> {
    return fetch(`${fx.stack.proxyUrl}/v1/chat/completions`, {
      method: "POST",
      headers: {
        Authorization: `Bearer ${fx.stack.masterKey}`,
        "Content-Type": "application/json",
        "X-OpenWebUI-User-Id": "stella",
        "X-OpenWebUI-Chat-Id": `status-${stream}`,
      },
      body: JSON.stringify({
        model: MODEL,
        stream,
        messages: [{ role: "user", content: "Blue is my favorite: make me a palette" }],
      }),
    });
  }

  function enqueueTwoTools(): void {
    fx.gemini.enqueue(
      {
        parts: [
          { functionCall: { name: "set_favorite_color", args: { color: "blue" } } },
          {
            functionCall: {
              name: "generate_color_palette",
              args: { paletteType: "complementary", color: "blue" },
            },
          },
        ],
      },
      { parts: ["Here is ", "your palette."] },
    );
  }

  it("streams each call's start and done as a top-level event, before the answer and not in it", async () => {
    enqueueTwoTools();
    const response = await post(true);
    expect(response.status).toBe(200);
    const chunks = (await response.text())
      .split("\n")
      .filter((line) => line.startsWith("data: ") && line !== "data: [DONE]")
      .map((line) => JSON.parse(line.slice(6)) as Chunk);

    const statuses = chunks.flatMap((chunk, at) => (chunk.event ? [{ at, ...chunk }] : []));
    const events = statuses.map((status) => status.event);
    const saving = "Saving your favorite color…";
    const palette = "Generating a palette…";
    // Both start, in the order asked; then each is done, in the order they finish.
    expect(events.slice(0, 2)).toEqual([
      { type: "status", data: { description: saving, done: false } },
      { type: "status", data: { description: palette, done: false } },
    ]);
    expect(events.slice(2)).toHaveLength(2);
    expect(events.slice(2)).toEqual(
      expect.arrayContaining([
        { type: "status", data: { description: "Saving your favorite color — done", done: true } },
        { type: "status", data: { description: "Generating a palette — done", done: true } },
      ]),
    );
    const content = (chunk: Chunk) => chunk.choices?.[0]?.delta?.content ?? "";
    const firstText = chunks.findIndex((chunk) => content(chunk).includes("Here is"));
    expect(firstText).toBeGreaterThan(-1);
    for (const status of statuses) {
      expect(status.at).toBeLessThan(firstText);
      expect(content(status)).toBe("");
    }
    const answer = chunks.map(content).join("");
    expect(answer).toContain("Here is your palette.");
    expect(answer).not.toContain(saving);
    expect(answer).not.toContain(palette);
  });

  it("sends no status with a non-streamed answer", async () => {
    enqueueTwoTools();
    const response = await post(false);
    expect(response.status).toBe(200);
    const body = await response.text();
    expect(body).toContain("Here is your palette.");
    expect(body).not.toContain("Saving your favorite color");
    expect(JSON.parse(body)).not.toHaveProperty("event");
  });
});
