import { GoogleGenAI } from "@google/genai";
import { afterAll, beforeAll, expect, it } from "vitest";
import { embedAnswer } from "./embed-answer.ts";
import { fakeEmbedding } from "./fake-embedding.ts";
import { type FakeGemini, startFakeGemini } from "./server.ts";

let gemini: FakeGemini;
beforeAll(async () => {
  gemini = await startFakeGemini();
});
afterAll(() => gemini.close());

const cosine = (a: number[], b: number[]) => a.reduce((sum, x, i) => sum + x * (b[i] ?? 0), 0);

it("answers the SDK's embedContent (batchEmbedContents) with one vector per text, deterministic", async () => {
  const ai = new GoogleGenAI({ apiKey: "fake", httpOptions: { baseUrl: gemini.url } });
  const response = await ai.models.embedContent({
    model: "gemini-embedding-001",
    contents: ["refunds within 30 days", "the sky is blue"],
    config: { outputDimensionality: 64, taskType: "RETRIEVAL_DOCUMENT" },
  });
  expect(response.embeddings?.map((e) => e.values)).toEqual([
    fakeEmbedding("refunds within 30 days", 64),
    fakeEmbedding("the sky is blue", 64),
  ]);
  expect(gemini.requests).toHaveLength(0);
  expect(gemini.embedRequests.at(-1)).toMatchObject({
    method: "batchEmbedContents",
    model: "gemini-embedding-001",
  });
});

it("puts texts that share words nearer than unrelated ones", () => {
  const query = fakeEmbedding("how do refunds work");
  expect(cosine(query, fakeEmbedding("Refunds are paid within 30 days"))).toBeGreaterThan(
    cosine(query, fakeEmbedding("Deploy with the blue button")),
  );
  expect(cosine(query, query)).toBeCloseTo(1, 10);
});

it("refuses an empty batch, more than 100 requests, an empty content and a bad dimensionality", () => {
  const one = { content: { parts: [{ text: "x" }] } };
  expect(embedAnswer(true, { requests: [] })).toMatch(/must not be empty/);
  expect(embedAnswer(true, { requests: new Array(100).fill(one) })).toHaveProperty("embeddings");
  expect(embedAnswer(true, { requests: new Array(101).fill(one) })).toMatch(/at most 100/);
  expect(embedAnswer(false, { content: { parts: [] } })).toMatch(/must not be empty/);
  expect(embedAnswer(false, { ...one, outputDimensionality: 0 })).toMatch(/between 1 and 3072/);
  expect(embedAnswer(false, one)).toEqual({ embedding: { values: fakeEmbedding("x") } });
});
