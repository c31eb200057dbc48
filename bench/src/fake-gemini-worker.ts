import { parentPort, workerData } from "node:worker_threads";
import { countPromptWords, ImplicitCache, startFakeGemini } from "@agentllm/testkit";
import { currentThreadId } from "./cpu.ts";
import { createBenchResponder, type FakeModelOptions, findTag } from "./fake-model.ts";

/**
 * The fake Gemini on its own thread (own event loop and heap), so neither its work nor the
 * load generator's distorts the other's timestamps. Both threads stamp times as
 * `performance.timeOrigin + performance.now()`: epoch milliseconds, comparable across threads.
 */
export type WorkerRequest = { type: "collect" } | { type: "close" };

/** Per request tag: when its first model call arrived, when each event of its last call was written. */
export interface ModelTimes {
  readonly receivedAt: number;
  readonly emittedAt: number[];
  /**
   * Between two model calls of the request: the earlier call's last event written → the next
   * call received. The tool step in between (runtime, tools, back to the model) is all of it.
   */
  readonly betweenCallsMs: number[];
}

/**
 * A request's prompt tokens over its model calls (the fake's word estimate), and how many of
 * them repeat, byte for byte, the start of a prompt an earlier call of the same phase sent: in
 * a session phase, one conversation, so the previous request of it. What Gemini's implicit
 * cache could serve (see the testkit's implicit-cache.ts).
 */
export interface PromptRepeat {
  readonly promptTokens: number;
  readonly repeatTokens: number;
}

/** Model-call timestamps per request tag, collected then cleared. */
export interface Collected {
  readonly type: "collected";
  readonly emits: Record<string, ModelTimes>;
  readonly prompts: Record<string, PromptRepeat>;
  readonly modelCalls: number;
  readonly paths: string[];
}

const port = parentPort;
if (!port) throw new Error("fake-gemini-worker must run as a worker thread");
const { options } = workerData as { options: FakeModelOptions };
// The fake's own implicit cache is off: it would add its work to the model's time; the prompt
// repeats are measured after each phase instead (`collect`).
const gemini = await startFakeGemini({
  responder: createBenchResponder(options),
  implicitCache: false,
});

port.on("message", async (message: WorkerRequest) => {
  if (message.type === "collect") {
    const emits: Record<string, ModelTimes> = {};
    const prompts: Record<string, PromptRepeat> = {};
    // Fresh per phase: what a call shares with the calls before it in this phase only.
    const repeats = new ImplicitCache();
    const paths = new Set<string>();
    let modelCalls = 0;
    for (const request of gemini.requests) {
      if (request.method !== "streamGenerateContent" && request.method !== "generateContent") {
        continue;
      }
      modelCalls++;
      paths.add(request.path.replace(/\?.*/, ""));
      const tag = findTag(request.body.contents ?? []);
      if (tag) {
        const repeated = repeats.use({ apiKey: "bench", model: request.model }, request.body);
        const sofar = prompts[tag.id];
        prompts[tag.id] = {
          promptTokens: (sofar?.promptTokens ?? 0) + countPromptWords(request.body),
          repeatTokens: (sofar?.repeatTokens ?? 0) + repeated,
        };
        const earlier = emits[tag.id];
        const lastEmit = earlier?.emittedAt.at(-1);
        emits[tag.id] = {
          receivedAt: earlier?.receivedAt ?? request.receivedAt,
          emittedAt: [...request.emittedAt],
          betweenCallsMs: [
            ...(earlier?.betweenCallsMs ?? []),
            ...(lastEmit === undefined ? [] : [request.receivedAt - lastEmit]),
          ],
        };
      }
    }
    gemini.reset();
    const reply: Collected = {
      type: "collected",
      emits,
      prompts,
      modelCalls,
      paths: [...paths],
    };
    port.postMessage(reply);
  } else if (message.type === "close") {
    await gemini.close();
    port.postMessage({ type: "closed" });
    port.close();
  }
});
// The thread id lets the scale section meter the fake's own CPU (is it the bottleneck?).
port.postMessage({ type: "ready", url: gemini.url, tid: currentThreadId() });
