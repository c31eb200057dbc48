export { createDefaultResponder, type DefaultResponderOptions } from "./default-responder.ts";
export { FAKE_EMBEDDING_DIMENSIONS, fakeEmbedding } from "./fake-embedding.ts";
export { type GoogleErrorBody, googleError, googleStatusName } from "./google-error.ts";
export { ImplicitCache, MAX_CACHED_BOUNDARIES } from "./implicit-cache.ts";
export type {
  GeminiContent,
  GeminiFunctionDeclaration,
  GeminiPart,
  GeminiRequestBody,
  RecordedMethod,
  RecordedRequest,
} from "./recorded-request.ts";
export type { Responder } from "./responder.ts";
export type { GeminiResponseJson } from "./response-chunks.ts";
export {
  type FakeFunctionCallPart,
  type FakeHang,
  type FakeHttpError,
  type FakePart,
  type FakeReply,
  type FakeTextPart,
  type FakeTurn,
  type FakeUsage,
  type FinishReasonName,
  fakeTurnSchema,
  finishReasons,
  parseScript,
  parseTurn,
  wordChunks,
} from "./script.ts";
export {
  type FakeGemini,
  type FakeGeminiOptions,
  startFakeGemini,
  type WaitOptions,
} from "./server.ts";
export { countPromptWords } from "./usage.ts";
