import { parentPort, workerData } from "node:worker_threads";
import { startFakeGemini } from "@agentllm/testkit";
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

/** Model-call timestamps per request tag, collected then cleared. */
export interface Collected {
  readonly type: "collected";
  readonly emits: Record<string, ModelTimes>;
  readonly modelCalls: number;
  readonly paths: string[];
}

const port = parentPort;
if (!port) throw new Error("fake-gemini-worker must run as a worker thread");
const { options } = workerData as { options: FakeModelOptions };
const gemini = await startFakeGemini({ responder: createBenchResponder(options) });

port.on("message", async (message: WorkerRequest) => {
  if (message.type === "collect") {
    const emits: Record<string, ModelTimes> = {};
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
    const reply: Collected = { type: "collected", emits, modelCalls, paths: [...paths] };
    port.postMessage(reply);
  } else if (message.type === "close") {
    await gemini.close();
    port.postMessage({ type: "closed" });
    port.close();
  }
});
port.postMessage({ type: "ready", url: gemini.url });
