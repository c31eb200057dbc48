import { once } from "node:events";
import { Worker } from "node:worker_threads";
import type { Collected, WorkerRequest } from "./fake-gemini-worker.ts";
import type { FakeModelOptions } from "./fake-model.ts";

export interface BenchGemini {
  readonly url: string;
  /** The worker thread's Linux thread id (/proc/<pid>/task/<tid>). */
  readonly tid: number;
  /** Emit timestamps per request tag since the last call; clears the fake's recordings. */
  collect(): Promise<Collected>;
  close(): Promise<void>;
}

/** Starts the testkit's fake Gemini in a worker thread (see fake-gemini-worker.ts). */
export async function startBenchGemini(options: FakeModelOptions): Promise<BenchGemini> {
  const worker = new Worker(new URL("./worker-entry.mjs", import.meta.url), {
    workerData: { entry: new URL("./fake-gemini-worker.ts", import.meta.url).href, options },
  });
  const [ready] = (await Promise.race([
    once(worker, "message"),
    once(worker, "error").then(([error]) => Promise.reject(error)),
  ])) as [{ type: "ready"; url: string; tid: number }];
  const ask = async <T>(request: WorkerRequest, type: string): Promise<T> => {
    const reply = new Promise<T>((resolve) => {
      const listen = (message: { type: string }) => {
        if (message.type !== type) return;
        worker.off("message", listen);
        resolve(message as T);
      };
      worker.on("message", listen);
    });
    worker.postMessage(request);
    return reply;
  };
  return {
    url: ready.url,
    tid: ready.tid,
    collect: () => ask<Collected>({ type: "collect" }, "collected"),
    async close() {
      await ask({ type: "close" }, "closed");
      await worker.terminate();
    },
  };
}
