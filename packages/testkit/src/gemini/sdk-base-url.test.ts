import { GoogleGenAI } from "@google/genai";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { type FakeGemini, startFakeGemini } from "./server.ts";

// The runtime and `GOOGLE_GEMINI_BASE_URL=... just proxy` rely on the SDK reading these
// variables itself (node build only, read once in the GoogleGenAI constructor).
const names = ["GOOGLE_GEMINI_BASE_URL", "GEMINI_API_KEY", "GOOGLE_API_KEY"] as const;
const saved = Object.fromEntries(names.map((name) => [name, process.env[name]]));
let gemini: FakeGemini;

beforeAll(async () => {
  gemini = await startFakeGemini();
});
afterEach(() => {
  for (const name of names) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
  gemini.reset();
});
afterAll(() => gemini.close());

it("sends requests to GOOGLE_GEMINI_BASE_URL with the key from GEMINI_API_KEY", async () => {
  process.env.GOOGLE_GEMINI_BASE_URL = `${gemini.url}/`;
  process.env.GEMINI_API_KEY = "from-env";
  delete process.env.GOOGLE_API_KEY;
  gemini.enqueue({ parts: ["via env"] });

  const ai = new GoogleGenAI({});
  const response = await ai.models.generateContent({ model: "gemini-2.5-flash", contents: "x" });

  expect(response.text).toBe("via env");
  expect(gemini.requests[0]).toMatchObject({
    path: "/v1beta/models/gemini-2.5-flash:generateContent",
    apiKeyPresent: true,
  });
});

it("lets httpOptions.baseUrl win over the variable", async () => {
  process.env.GOOGLE_GEMINI_BASE_URL = "http://127.0.0.1:9";
  gemini.enqueue({ parts: ["explicit"] });
  const ai = new GoogleGenAI({ apiKey: "k", httpOptions: { baseUrl: gemini.url } });
  const response = await ai.models.generateContent({ model: "gemini-2.5-flash", contents: "x" });
  expect(response.text).toBe("explicit");
});
