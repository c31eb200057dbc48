import { gzipSync } from "node:zlib";
import type { FakeGemini } from "@agentllm/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type BadInputHarness,
  MAX_BODY_BYTES,
  startBadInputHarness,
  TOKEN,
} from "./bad-input-harness.ts";

/**
 * Bad and odd input against the real runtime (fake Gemini behind it), one raw `fetch` per row.
 * Every row ends in an exact 4xx with an OpenAI error naming the problem, or in a normal
 * answer. Never a 5xx, never a hang, never a crash. The limits are in docs/architecture.md,
 * "Bad input".
 */

const MODEL = "agno/demo-agent";

/** A valid request, with `extra` fields on top. */
const chat = (extra: Record<string, unknown> = {}) => ({
  model: MODEL,
  messages: [{ role: "user", content: "Hi there" }],
  ...extra,
});
/** A valid request whose only message is a user message with this content. */
const userSays = (content: unknown) => chat({ messages: [{ role: "user", content }] });
/** `chat()` as JSON text with `raw` spliced in as the last field: for what JSON.stringify cannot write. */
const rawChat = (raw: string) => `${JSON.stringify(chat()).slice(0, -1)},${raw}}`;

const PNG_DATA_URL =
  "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
/** What the runtime last sent the fake Gemini, as JSON text. */
const lastGeminiBody = (gemini: FakeGemini) => JSON.stringify(gemini.requests.at(-1)?.body);
const alternating = (count: number) =>
  Array.from({ length: count }, (_, i) =>
    i % 2 === 0 ? { role: "user", content: `u${i}` } : { role: "assistant", content: `a${i}` },
  );

type Expectation =
  /** A normal answer: a chat.completion JSON, or an SSE stream ending in [DONE]. */
  | { readonly answer: "json" | "sse" }
  /** An OpenAI error JSON with this status and code; `message` and `param` name the problem. */
  | {
      readonly status: number;
      readonly code: string;
      readonly message: RegExp;
      readonly param?: string | null;
    };

interface Case {
  readonly name: string;
  readonly method?: string;
  readonly path?: string;
  /** Strings and bytes go as they are; anything else as JSON. Omitted: no body. */
  readonly body?: unknown;
  /** `content-type` defaults to application/json; `authorization` to the runtime token. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly expect: Expectation;
  /** Extra assertions on the response (and on what the fake Gemini was sent). */
  readonly check?: (response: Response, body: unknown, gemini: FakeGemini) => void;
}

const answers = { answer: "json" } as const;
const streams = { answer: "sse" } as const;
const bad = (message: RegExp, param?: string | null, code = "invalid_request") =>
  ({ status: 400, code, message, param }) as const;

// biome-ignore format: the table reads best one row per line
const cases: readonly Case[] = [
  // --- Malformed JSON ---
  { name: "truncated JSON", body: '{"model": "agno/demo-agent", "messages": [', expect: bad(/not valid JSON/, null, "invalid_json") },
  { name: "trailing comma", body: '{"model": "agno/demo-agent",}', expect: bad(/not valid JSON/, null, "invalid_json") },
  { name: "NaN literal", body: rawChat('"temperature": NaN'), expect: bad(/not valid JSON/, null, "invalid_json") },
  { name: "single quotes", body: "{'model': 'agno/demo-agent'}", expect: bad(/not valid JSON/, null, "invalid_json") },
  { name: "bare string", body: '"hello"', expect: bad(/must be a JSON object, but it starts with "\\""/, null, "invalid_json") },
  { name: "bare number", body: "42", expect: bad(/must be a JSON object, but it starts with "4"/, null, "invalid_json") },
  { name: "JSON null", body: "null", expect: bad(/must be a JSON object, but it starts with "n"/, null, "invalid_json") },
  { name: "JSON array", body: "[]", expect: bad(/must be a JSON object/, null, "invalid_body") },
  { name: "empty body (read as {})", body: "", expect: bad(/^model: /, "model") },
  { name: "no body at all (read as {})", expect: bad(/^model: /, "model") },
  { name: "whitespace only", body: "  \n ", expect: bad(/only whitespace/, null, "invalid_json") },
  { name: "empty object", body: "{}", expect: bad(/^model: /, "model") },
  { name: "two JSON objects back to back", body: `${JSON.stringify(chat())}{}`, expect: bad(/not valid JSON/, null, "invalid_json") },
  { name: "UTF-8 byte order mark before the JSON", body: `\uFEFF${JSON.stringify(chat())}`, expect: answers },

  // --- Content type and encoding ---
  { name: "text/plain with a JSON body (parsed as JSON)", body: JSON.stringify(chat()), headers: { "content-type": "text/plain" }, expect: answers },
  { name: "no content type, JSON bytes", body: new TextEncoder().encode(JSON.stringify(chat())), headers: { "content-type": "" }, expect: answers },
  { name: "form-encoded body", body: "model=agno%2Fdemo-agent&messages=hi", headers: { "content-type": "application/x-www-form-urlencoded" }, expect: bad(/not valid JSON/, null, "invalid_json") },
  { name: "charset utf8 (no dash)", body: JSON.stringify(chat()), headers: { "content-type": "application/json; charset=utf8" }, expect: answers },
  { name: "charset UTF-16 with UTF-8 bytes", body: JSON.stringify(chat()), headers: { "content-type": "application/json; charset=utf-16" }, expect: bad(/not valid JSON/, null, "invalid_json") },
  { name: "charset latin1", body: JSON.stringify(chat()), headers: { "content-type": "application/json; charset=latin1" }, expect: { status: 415, code: "unsupported_encoding", message: /UTF-8/ } },
  { name: "invalid UTF-8 bytes in a string", body: Buffer.concat([Buffer.from(rawChat('"x": "')), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]), expect: bad(/not valid UTF-8/, null, "invalid_encoding") },
  { name: "gzip-encoded JSON", body: gzipSync(JSON.stringify(chat())), headers: { "content-encoding": "gzip" }, expect: answers },
  { name: "gzip header on bytes that are not gzip", body: JSON.stringify(chat()), headers: { "content-encoding": "gzip" }, expect: bad(/could not be read/, null, "invalid_body") },
  { name: "unsupported content encoding", body: JSON.stringify(chat()), headers: { "content-encoding": "compress" }, expect: { status: 415, code: "unsupported_encoding", message: /encoding/ } },
  { name: "gzip bomb: 8 MB of JSON from a few KB", body: gzipSync(rawChat(`"pad": "${" ".repeat(8 * 1024 * 1024)}"`)), headers: { "content-encoding": "gzip" }, expect: { status: 413, code: "request_too_large", message: new RegExp(`${MAX_BODY_BYTES} bytes`) } },
  { name: "body over the limit", body: JSON.stringify(userSays("x".repeat(MAX_BODY_BYTES))), expect: { status: 413, code: "request_too_large", message: new RegExp(`${MAX_BODY_BYTES} bytes`) } },

  // --- Wrong types and out-of-range values ---
  { name: "model a number", body: chat({ model: 42 }), expect: bad(/^model: .*expected string/, "model") },
  { name: "model null", body: chat({ model: null }), expect: bad(/^model: /, "model") },
  { name: "model empty", body: chat({ model: "" }), expect: bad(/^model: must not be empty/, "model") },
  { name: "model 10 KB long", body: chat({ model: "m".repeat(10_240) }), expect: bad(/^model: .*200 characters/, "model") },
  { name: "model with surrounding spaces", body: chat({ model: ` ${MODEL} ` }), expect: { status: 404, code: "model_not_found", message: /demo-agent/, param: "model" } },
  { name: "model unknown", body: chat({ model: "agno/no-such-agent" }), expect: { status: 404, code: "model_not_found", message: /no-such-agent/, param: "model" } },
  { name: "messages an object", body: chat({ messages: { role: "user", content: "Hi" } }), expect: bad(/^messages: .*expected array/, "messages") },
  { name: "messages a string", body: chat({ messages: "Hi" }), expect: bad(/^messages: .*expected array/, "messages") },
  { name: "messages missing", body: { model: MODEL }, expect: bad(/^messages: /, "messages") },
  { name: "message null", body: chat({ messages: [null] }), expect: bad(/^messages\.0: .*expected object/, "messages.0") },
  { name: "message a string", body: chat({ messages: ["Hi"] }), expect: bad(/^messages\.0: .*expected object/, "messages.0") },
  { name: "temperature a string", body: chat({ temperature: "0.5" }), expect: bad(/^temperature: .*expected number/, "temperature") },
  { name: "temperature 1e309 (Infinity)", body: rawChat('"temperature": 1e309'), expect: bad(/^temperature: .*Infinity/, "temperature") },
  { name: "temperature true", body: chat({ temperature: true }), expect: bad(/^temperature: .*expected number/, "temperature") },
  { name: "temperature 3", body: chat({ temperature: 3 }), expect: bad(/^temperature: .*<=2/, "temperature") },
  { name: "temperature negative zero", body: rawChat('"temperature": -0'), expect: answers },
  { name: "max_tokens a float", body: chat({ max_tokens: 1.5 }), expect: bad(/^max_tokens: .*int/, "max_tokens") },
  { name: "max_tokens negative", body: chat({ max_tokens: -5 }), expect: bad(/^max_tokens: .*>0/, "max_tokens") },
  { name: "max_tokens huge", body: chat({ max_tokens: 1e15 }), expect: bad(/^max_tokens: .*1000000/, "max_tokens") },
  { name: "max_completion_tokens a string", body: chat({ max_completion_tokens: "100" }), expect: bad(/^max_completion_tokens: /, "max_completion_tokens") },
  { name: "top_p 0", body: chat({ top_p: 0 }), expect: bad(/^top_p: .*>0/, "top_p") },
  { name: "top_p 1.5", body: chat({ top_p: 1.5 }), expect: bad(/^top_p: .*<=1/, "top_p") },
  { name: "stop an array of numbers", body: chat({ stop: [1, 2] }), expect: bad(/^stop\.0: .*expected string/, "stop.0") },
  { name: "stop with 6 entries", body: chat({ stop: ["a", "b", "c", "d", "e", "f"] }), expect: bad(/^stop: .*at most 5/, "stop") },
  { name: "stop a number", body: chat({ stop: 7 }), expect: bad(/^stop: must be a string or an array/, "stop") },
  { name: 'stream "yes"', body: chat({ stream: "yes" }), expect: bad(/^stream: .*expected boolean/, "stream") },
  { name: "stream_options a string", body: chat({ stream: true, stream_options: "usage" }), expect: bad(/^stream_options: .*expected object/, "stream_options") },
  { name: "stream_options.include_usage a string", body: chat({ stream: true, stream_options: { include_usage: "yes" } }), expect: bad(/^stream_options\.include_usage: /, "stream_options.include_usage") },
  { name: "n 2", body: chat({ n: 2 }), expect: bad(/^n: only n=1 is supported/, "n") },
  { name: "user a number", body: chat({ user: 7 }), expect: bad(/^user: .*expected string/, "user") },
  { name: "two problems at once", body: chat({ temperature: "hot", top_p: 9 }), expect: bad(/^temperature: .*\(and 1 more problem\)/, "temperature") },

  // --- Messages ---
  { name: "unknown role", body: chat({ messages: [{ role: "wizard", content: "Hi" }] }), expect: bad(/^messages\.0\.role: must be one of system, developer, user, assistant, tool/, "messages.0.role") },
  { name: "role in capitals", body: chat({ messages: [{ role: "USER", content: "Hi" }] }), expect: bad(/^messages\.0\.role: must be one of/, "messages.0.role") },
  { name: "missing role", body: chat({ messages: [{ content: "Hi" }] }), expect: bad(/^messages\.0\.role: must be one of/, "messages.0.role") },
  { name: 'role "function" (legacy)', body: chat({ messages: [{ role: "user", content: "a" }, { role: "function", content: "b" }] }), expect: bad(/^messages\.1\.role: /, "messages.1.role") },
  { name: "user message without content", body: chat({ messages: [{ role: "user" }] }), expect: bad(/messages\.0\.content.*nothing/, "messages.0.content", "invalid_messages") },
  { name: "user message with empty content", body: userSays(""), expect: bad(/messages\.0\.content.*nothing/, "messages.0.content", "invalid_messages") },
  { name: "user message with only whitespace (passed on)", body: userSays("  \n\t "), expect: answers },
  { name: "empty last user message after a real one", body: chat({ messages: [{ role: "user", content: "Hi" }, { role: "user", content: "" }] }), expect: answers },
  { name: "empty user message after an answer", body: chat({ messages: [{ role: "user", content: "Hi" }, { role: "assistant", content: "Hello" }, { role: "user", content: [] }] }), expect: bad(/messages\.2\.content.*nothing/, "messages.2.content", "invalid_messages") },
  { name: "content a number", body: userSays(42), expect: bad(/^messages\.0\.content: must be a string, an array of content parts, or null/, "messages.0.content") },
  { name: "content an object", body: userSays({ type: "text", text: "Hi" }), expect: bad(/^messages\.0\.content: must be a string, an array of content parts, or null/, "messages.0.content") },
  { name: "empty messages", body: chat({ messages: [] }), expect: bad(/^messages: must contain at least one message/, "messages") },
  { name: "only system messages", body: chat({ messages: [{ role: "system", content: "Be brief." }] }), expect: bad(/end with a user message/, "messages", "invalid_messages") },
  { name: "last message from the assistant (Continue)", body: chat({ messages: [{ role: "user", content: "Hi" }, { role: "assistant", content: "Hello" }] }), expect: answers },
  { name: "last message an empty assistant message", body: chat({ messages: [{ role: "user", content: "Hi" }, { role: "assistant", content: "" }] }), expect: bad(/end with a user message/, "messages", "invalid_messages") },
  { name: "last message an assistant message with only a tool card", body: chat({ messages: [{ role: "user", content: "Hi" }, { role: "assistant", content: '<details type="tool_calls" done="true">\n<summary>Tool Executed</summary>\n</details>' }] }), expect: bad(/end with a user message/, "messages", "invalid_messages") },
  { name: "an answer to continue without a user message", body: chat({ messages: [{ role: "assistant", content: "Hello" }] }), expect: bad(/needs a user message before it/, "messages", "invalid_messages") },
  { name: "last message a tool result", body: chat({ messages: [{ role: "user", content: "Hi" }, { role: "tool", content: "{}", tool_call_id: "t" }] }), expect: bad(/end with a user message/, "messages", "invalid_messages") },
  { name: "20,000 messages", body: chat({ messages: Array(20_000).fill({ role: "user", content: "a" }) }), expect: bad(/^messages: must contain at most 10000 messages/, "messages") },
  { name: "10,001 messages", body: chat({ messages: alternating(10_001) }), expect: bad(/^messages: must contain at most 10000 messages/, "messages") },
  { name: "exactly 10,000 messages", body: chat({ messages: alternating(9_999) }), expect: answers },
  { name: "message name a number", body: chat({ messages: [{ role: "user", content: "Hi", name: 5 }] }), expect: bad(/^messages\.0\.name: .*expected string/, "messages.0.name") },
  { name: "developer message", body: chat({ messages: [{ role: "developer", content: "Answer in French." }, { role: "user", content: "Hi" }] }), expect: answers },
  { name: "system, then user, assistant, user", body: chat({ messages: [{ role: "system", content: "Be brief." }, ...alternating(3)] }), expect: answers },
  { name: "content as an array of text parts", body: userSays([{ type: "text", text: "Hello" }, { type: "text", text: " there" }]), expect: answers },
  { name: "content null on an earlier assistant message", body: chat({ messages: [{ role: "user", content: "a" }, { role: "assistant", content: null, tool_calls: [] }, { role: "user", content: "b" }] }), expect: answers },
  { name: "assistant history full of unclosed tool cards (regex blow-up)", body: chat({ messages: [{ role: "user", content: "a" }, { role: "assistant", content: '\n<details type="tool_calls" '.repeat(30_000) }, { role: "user", content: "b" }] }), expect: answers },
  { name: "assistant history full of unclosed tool card bodies", body: chat({ messages: [{ role: "user", content: "a" }, { role: "assistant", content: '<details type="tool_calls">x'.repeat(60_000) }, { role: "user", content: "b" }] }), expect: answers },

  // --- Content parts ---
  { name: "image part with a data URL", body: userSays([{ type: "text", text: "What is this?" }, { type: "image_url", image_url: { url: PNG_DATA_URL } }]), expect: answers, check: (_r, _b, gemini) => expect(lastGeminiBody(gemini)).toContain('"inlineData":{"mimeType":"image/png"') },
  { name: "image part with a broken data URL", body: userSays([{ type: "image_url", image_url: { url: "data:image/png;base64" } }]), expect: answers },
  { name: "image part with data that is not base64", body: userSays([{ type: "image_url", image_url: { url: "data:image/png;base64,!!not base64!!" } }]), expect: answers, check: (_r, _b, gemini) => expect(lastGeminiBody(gemini)).toContain("an image this agent cannot read") },
  { name: "image part with a javascript: URL", body: userSays([{ type: "image_url", image_url: { url: "javascript:alert(1)" } }]), expect: answers },
  { name: "image part with an http URL", body: userSays([{ type: "image_url", image_url: { url: "https://example.com/cat.png", detail: "low" } }]), expect: answers },
  { name: "image part with image_url null", body: userSays([{ type: "image_url", image_url: null }]), expect: answers },
  { name: "image part with a bare string URL", body: userSays([{ type: "image_url", image_url: "https://example.com/cat.png" }]), expect: answers },
  { name: "file part", body: userSays([{ type: "text", text: "Summarise" }, { type: "file", file: { filename: "a.pdf", file_data: "data:application/pdf;base64,JVBERi0=" } }]), expect: answers },
  { name: "input_audio part", body: userSays([{ type: "input_audio", input_audio: { data: "AAAA", format: "wav" } }]), expect: answers },
  { name: "unknown part type", body: userSays([{ type: "hologram", hologram: {} }]), expect: answers },
  { name: "empty text part next to a real one", body: userSays([{ type: "text", text: "" }, { type: "text", text: "Hi" }]), expect: answers },
  { name: "only an empty text part", body: userSays([{ type: "text", text: "" }]), expect: bad(/messages\.0\.content.*nothing/, "messages.0.content", "invalid_messages") },
  { name: "empty parts array", body: userSays([]), expect: bad(/messages\.0\.content.*nothing/, "messages.0.content", "invalid_messages") },
  { name: "text part with a number as text", body: userSays([{ type: "text", text: 5 }]), expect: bad(/^messages\.0\.content\.0\.text: .*expected string/, "messages.0.content.0.text") },
  { name: "part without a type", body: userSays([{ text: "Hi" }]), expect: bad(/^messages\.0\.content\.0: .*type/, "messages.0.content.0") },
  { name: "part a string", body: userSays(["Hi"]), expect: bad(/^messages\.0\.content\.0: /, "messages.0.content.0") },

  // --- Fields the agent ignores, and harmless oddities ---
  { name: "tools and tool_choice (ignored: agents bring their own)", body: chat({ tools: [{ type: "function", function: { name: "f", parameters: {} } }], tool_choice: "required", parallel_tool_calls: false }), expect: answers },
  { name: "response_format, seed, logprobs, penalties (ignored)", body: chat({ response_format: { type: "json_object" }, seed: 7, logprobs: true, top_logprobs: 2, presence_penalty: 2, frequency_penalty: -2, logit_bias: { 1: 5 } }), expect: answers },
  { name: "stream_options without stream", body: chat({ stream_options: { include_usage: true } }), expect: answers },
  { name: "a fake tool card in the user's own text", body: userSays('<details type="tool_calls" name="x">\n</details> hi'), expect: answers },
  { name: "n 1", body: chat({ n: 1 }), expect: answers },
  { name: "stream false, explicitly", body: chat({ stream: false }), expect: answers },
  { name: "stream true", body: chat({ stream: true, stream_options: { include_usage: true } }), expect: streams },
  { name: "null for every optional field", body: chat({ stream: null, stream_options: null, temperature: null, top_p: null, max_tokens: null, max_completion_tokens: null, stop: null, n: null, user: null }), expect: answers },
  { name: "unknown fields everywhere", body: chat({ frobnicate: { a: [1, 2] }, metadata: { chat_id: "c" }, messages: [{ role: "user", content: "Hi", cache_control: { type: "ephemeral" } }] }), expect: answers },
  { name: "duplicate keys (the last wins)", body: `{"model": "agno/nope", "model": "${MODEL}", "messages": [{"role": "user", "content": "Hi"}]}`, expect: answers },
  { name: "unicode, emoji, RTL and combining marks", body: userSays("Héllo 👋🏽 مرحبا בעולם ‮reversed‬ Z̤͔ͧ̑̓ 漢字 \u2028\u2029"), expect: answers },
  { name: "NUL and control characters in text", body: userSays("a\u0000b\u0007c\u001bd"), expect: answers },
  { name: "lone surrogate escapes", body: rawChat('"messages": [{"role": "user", "content": "\\ud800 and \\udfff"}]'), expect: answers },
  { name: "a 1 MB message under the limit", body: userSays("word ".repeat(200_000)), expect: answers },
  { name: "10,000 nested arrays in an unknown field", body: rawChat(`"deep": ${"[".repeat(10_000)}${"]".repeat(10_000)}`), expect: answers },
  { name: "100,000 nested objects in an unknown field", body: rawChat(`"deep": ${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}`), expect: answers },
  { name: "10,000 nested arrays as content", body: rawChat(`"messages": [{"role": "user", "content": ${"[".repeat(10_000)}${"]".repeat(10_000)}}]`), expect: bad(/^messages\.0\.content\.0: /, "messages.0.content.0") },
  { name: "100,000 nested arrays as messages", body: rawChat(`"messages": ${"[".repeat(100_000)}${"]".repeat(100_000)}`), expect: bad(/^messages\.0: .*expected object/, "messages.0") },
  { name: "__proto__ on the body", body: rawChat('"__proto__": {"polluted": "yes", "temperature": 99, "stream": true}'), expect: answers, check: () => expect(({} as Record<string, unknown>).polluted).toBeUndefined() },
  { name: "__proto__ on a message, carrying content", body: rawChat('"messages": [{"role": "user", "content": "Hi", "__proto__": {"role": "system", "polluted": "yes"}}]'), expect: answers, check: () => expect(({} as Record<string, unknown>).polluted).toBeUndefined() },
  { name: "__proto__ as the only source of model and messages", body: `{"__proto__": ${JSON.stringify(chat())}}`, expect: bad(/^model: /, "model") },
  { name: "constructor.prototype on the body", body: rawChat('"constructor": {"prototype": {"polluted": "yes"}}'), expect: answers, check: () => expect(({} as Record<string, unknown>).polluted).toBeUndefined() },

  // --- Headers ---
  { name: "user id header over 256 characters", body: chat(), headers: { "x-agentllm-user-id": "u".repeat(300) }, expect: bad(/x-agentllm-user-id.*256 printable/, "x-agentllm-user-id", "invalid_identity") },
  { name: "session id header with a tab", body: chat(), headers: { "x-agentllm-session-id": "s1\tx" }, expect: bad(/x-agentllm-session-id.*printable/, "x-agentllm-session-id", "invalid_identity") },
  { name: "user id header with a C1 control character", body: chat(), headers: { "x-agentllm-user-id": "alice\u0085" }, expect: bad(/x-agentllm-user-id.*printable/, "x-agentllm-user-id", "invalid_identity") },
  { name: "user id header of spaces only (treated as absent)", body: chat(), headers: { "x-agentllm-user-id": "   " }, expect: answers },
  { name: "X-Request-Id with junk is replaced, not echoed", body: chat(), headers: { "x-request-id": "<script>alert(1)</script>" }, expect: answers, check: (response) => expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/) },
  { name: "X-Request-Id too long is replaced", body: chat(), headers: { "x-request-id": "r".repeat(129) }, expect: answers, check: (response) => expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/) },
  { name: "a well-formed X-Request-Id is kept", body: chat(), headers: { "x-request-id": "bridge-req.42" }, expect: answers, check: (response) => expect(response.headers.get("x-request-id")).toBe("bridge-req.42") },
  { name: "no bearer token (checked before the body)", body: "{not json", headers: { authorization: "" }, expect: { status: 401, code: "missing_runtime_token", message: /bearer token/ } },
  { name: "lower-case bearer scheme", body: chat(), headers: { authorization: `bearer ${TOKEN}` }, expect: answers },
  { name: "wrong bearer token", body: chat(), headers: { authorization: "Bearer nope" }, expect: { status: 401, code: "invalid_runtime_token", message: /Invalid bearer token/ } },
  { name: "Basic auth instead of a bearer token", body: chat(), headers: { authorization: "Basic dXNlcjpwYXNz" }, expect: { status: 401, code: "missing_runtime_token", message: /bearer token/ } },

  // --- Other routes and methods ---
  { name: "GET on the POST route", method: "GET", expect: { status: 404, code: "unknown_route", message: /No route for GET \/v1\/chat\/completions/ } },
  { name: "PUT on the POST route", method: "PUT", body: chat(), expect: { status: 404, code: "unknown_route", message: /No route for PUT/ } },
  { name: "POST /v1/models", path: "/v1/models", body: chat(), expect: { status: 404, code: "unknown_route", message: /No route for POST \/v1\/models/ } },
  { name: "trailing-slash typo", path: "/v1/chat/completions/", body: chat(), expect: answers },
  { name: "unknown route with a bad body", path: "/v1/completions", body: "{oops", expect: bad(/not valid JSON/, null, "invalid_json") },
  { name: "GET /v1/models without a token", method: "GET", path: "/v1/models", headers: { authorization: "" }, expect: { status: 401, code: "missing_runtime_token", message: /bearer token/ } },
];

describe("bad input", () => {
  let harness: BadInputHarness;
  beforeAll(async () => {
    harness = await startBadInputHarness();
  });
  afterAll(async () => {
    await harness?.close();
  });

  it("has a good-sized table with unique names", () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  for (const c of cases) {
    it(c.name, async () => {
      const { response, body } = await send(harness.url, c);
      expect(response.status, JSON.stringify(body)).toBeLessThan(500);
      if ("answer" in c.expect) expectAnswer(response, body, c.expect.answer);
      else {
        expect(response.status, JSON.stringify(body)).toBe(c.expect.status);
        expect(response.headers.get("content-type")).toMatch(/^application\/json/);
        const error = (body as { error: Record<string, unknown> }).error;
        expect(Object.keys(error).sort()).toEqual(["code", "message", "param", "type"]);
        expect(error.code).toBe(c.expect.code);
        expect(error.message).toMatch(c.expect.message);
        if (c.expect.param !== undefined) expect(error.param).toBe(c.expect.param);
      }
      c.check?.(response, body, harness.gemini);
    });
  }

  it("still answers normally afterwards, and never logged a failure", async () => {
    const { response, body } = await send(harness.url, {
      name: "normal",
      body: chat(),
      expect: answers,
    });
    expectAnswer(response, body, "json");
    const health = await fetch(`${harness.url}/healthz`, { signal: AbortSignal.timeout(5000) });
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
    // pino level 50 = error: what the error handler writes for a 5xx.
    expect(harness.logLevels.filter((level) => level >= 50)).toEqual([]);
  });
});

/** One row's request, with a 5 s limit; the body is read as JSON when it is JSON. */
async function send(url: string, c: Case): Promise<{ response: Response; body: unknown }> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${TOKEN}`,
    "content-type": "application/json",
    ...c.headers,
  };
  for (const [name, value] of Object.entries(headers)) if (value === "") delete headers[name];
  const started = performance.now();
  const response = await fetch(`${url}${c.path ?? "/v1/chat/completions"}`, {
    method: c.method ?? "POST",
    headers,
    body: encodeBody(c.body),
    signal: AbortSignal.timeout(5000),
  });
  const text = await response.text();
  // The runtime shares this process: a blocked event loop would delay the timeout itself.
  expect(performance.now() - started, "answered within 5 s").toBeLessThan(5000);
  const isJson = response.headers.get("content-type")?.startsWith("application/json");
  return { response, body: isJson ? JSON.parse(text) : text };
}

function encodeBody(body: unknown): string | Uint8Array | undefined {
  if (body === undefined || typeof body === "string" || body instanceof Uint8Array) return body;
  return JSON.stringify(body);
}

function expectAnswer(response: Response, body: unknown, kind: "json" | "sse") {
  expect(response.status, typeof body === "string" ? body : JSON.stringify(body)).toBe(200);
  if (kind === "json") {
    expect(body).toMatchObject({
      object: "chat.completion",
      model: expect.any(String),
      choices: [{ index: 0, message: { role: "assistant", content: expect.any(String) } }],
      usage: { total_tokens: expect.any(Number) },
    });
    return;
  }
  expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
  const events = String(body)
    .split("\n")
    .filter((line) => line.startsWith("data: "));
  expect(events.at(-1)).toBe("data: [DONE]");
  expect(events.some((line) => line.includes('"usage"'))).toBe(true);
}
