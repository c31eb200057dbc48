import type { RecordedRequest } from "./recorded-request.ts";
import type { FakeTurn } from "./script.ts";

/** Answers a model call when no scripted turn is queued. */
export type Responder = (request: RecordedRequest) => FakeTurn | Promise<FakeTurn>;
