import { randomUUID } from "node:crypto";
import type { Content, GenerateContentConfig } from "@google/genai";
import pLimit from "p-limit";
import type { MissingCredential } from "../../connect/connect-answer.ts";
import { scrubText } from "../../vault/scrub-secrets.ts";
import {
  type AgentEvent,
  addUsage,
  emptyUsage,
  type FinishReason,
  type StepRecord,
  type Usage,
} from "./agent-event.ts";
import { executeToolCall, type ToolCallEnv, type ToolOutcome } from "./execute-tool-call.ts";
import { type ModelClient, type StepOutcome, streamModelStep } from "./gemini-stream.ts";
import type { GeminiToolset } from "./to-gemini-tools.ts";
import { toolStatus } from "./tool-status.ts";

export interface RunAgentOptions {
  readonly client: ModelClient;
  readonly model: string;
  readonly systemInstruction: string;
  /** The conversation so far, ending with the user's new message. */
  readonly contents: readonly Content[];
  readonly toolset: GeminiToolset;
  /** temperature, maxOutputTokens, topP, stopSequences, thinkingConfig. */
  readonly generationConfig: GenerateContentConfig;
  readonly maxSteps: number;
  readonly toolEnv: ToolCallEnv;
  /**
   * The answer to the user when a tool needs a credential they have not given (see
   * connect/connect-answer.ts). Without it, such a tool's result is an ordinary error.
   */
  readonly connectAnswer?: (missing: readonly MissingCredential[]) => Promise<string>;
  /** Tool calls of one step that run at once; the others wait for a free slot. */
  readonly maxParallelTools?: number;
  /** Tool calls one step may ask for; each one past it gets an error result the model sees. */
  readonly maxToolCallsPerStep?: number;
}

/** Eight at once: a step of five Jira reads takes about one read's time, and no more. */
export const DEFAULT_MAX_PARALLEL_TOOLS = 8;
/** Far above what a model asks for in one step (a handful); a runaway list stops here. */
export const DEFAULT_MAX_TOOL_CALLS_PER_STEP = 32;

/**
 * The step loop: call the model, run the tools it asks for, send their results back, until it
 * answers without a tool call or `maxSteps` is reached. Every delta is yielded as it arrives.
 * Aborting `toolEnv.signal` ends the model call and any running tool, and the iterator throws.
 */
export async function* runAgent(options: RunAgentOptions): AsyncGenerator<AgentEvent> {
  const { client, toolset, toolEnv } = options;
  const signal = toolEnv.signal;
  const steps: StepRecord[] = [];
  const newContents: Content[] = [];
  let usage: Usage = emptyUsage();
  let finishReason: FinishReason = "stop";

  for (let stepIndex = 0; stepIndex < options.maxSteps; stepIndex++) {
    signal.throwIfAborted();
    const stepStream = streamModelStep(client, {
      model: options.model,
      contents: [...options.contents, ...newContents],
      config: {
        ...options.generationConfig,
        systemInstruction: options.systemInstruction,
        ...(toolset.tools.length > 0 ? { tools: toolset.tools } : {}),
        abortSignal: signal,
      },
    });
    let step: StepOutcome | undefined;
    while (!step) {
      const next = await stepStream.next();
      if (next.done) step = next.value;
      else yield next.value;
    }
    newContents.push(step.content);
    usage = addUsage(usage, step.usage);
    finishReason = step.finishReason;

    const calls = step.functionCalls.map((call) => ({ ...call, callId: `call_${randomUUID()}` }));
    for (const call of calls) {
      yield { type: "tool-call", callId: call.callId, name: call.name, args: call.args };
    }
    // The model may ask for several independent tools at once: run them side by side, a bounded
    // number at a time, results in the order asked.
    const perStep = options.maxToolCallsPerStep ?? DEFAULT_MAX_TOOL_CALLS_PER_STEP;
    const slot = pLimit(options.maxParallelTools ?? DEFAULT_MAX_PARALLEL_TOOLS);
    const scrub = (text: string) => scrubText(text, toolEnv.credentials?.scrubForms() ?? []);
    const running = calls.slice(0, perStep).map((call) => ({
      call,
      status: toolStatus(call.name, call.args, toolset.byName.get(call.name), scrub),
    }));
    for (const { call, status } of running) {
      yield { type: "status", callId: call.callId, description: status, done: false };
    }
    const pending = calls.map(
      (call, i): Promise<ToolOutcome> =>
        i >= perStep
          ? Promise.resolve({
              result: {
                error: `Too many tool calls in one step (at most ${perStep}); this one did not run. Ask for it again in a later step.`,
              },
              isError: true,
            })
          : slot(() =>
              executeToolCall(
                { name: call.name, args: call.args, indexed: toolset.byName.get(call.name) },
                toolEnv,
              ),
            ),
    );
    // Each call's status is marked done as it finishes, not when the slowest one does.
    const unfinished = new Map(
      running.map((_, i) => [i, (pending[i] as Promise<ToolOutcome>).then(() => i)]),
    );
    while (unfinished.size > 0) {
      const i = await Promise.race(unfinished.values());
      unfinished.delete(i);
      const { call, status } = running[i] as (typeof running)[number];
      yield { type: "status", callId: call.callId, description: status, done: true };
    }
    const outcomes = await Promise.all(pending);
    const toolResults = calls.map((call, i) => {
      const outcome = outcomes[i] as (typeof outcomes)[number];
      return {
        callId: call.callId,
        name: call.name,
        result: outcome.result,
        isError: outcome.isError,
      };
    });
    for (const [i, result] of toolResults.entries()) {
      yield { type: "tool-result", ...result, args: calls[i]?.args };
    }
    const record: StepRecord = {
      text: step.text,
      toolCalls: calls,
      toolResults,
      usage: step.usage,
      finishReason: step.finishReason,
    };
    steps.push(record);
    yield { type: "step-finish", step: record };

    if (calls.length === 0) break;
    newContents.push({
      role: "user",
      parts: toolResults.map((result) => ({
        functionResponse: { name: result.name, response: result.result },
      })),
    });
    const missing = uniqueMissing(outcomes.map((outcome) => outcome.credentialRequired));
    if (missing.length > 0 && options.connectAnswer) {
      // The connect detour: the runtime answers, not the model. The stored history reads as if
      // the model had answered so (its call, the "not connected" result, this text), so the
      // next turn's model knows the user was sent a link and calls the tool again.
      const answer = await options.connectAnswer(missing);
      newContents.push({ role: "model", parts: [{ text: answer }] });
      yield { type: "text-delta", text: answer };
      finishReason = "stop";
      break;
    }
    if (stepIndex === options.maxSteps - 1) {
      // Out of steps with tool results the model never saw: say so instead of ending silently.
      const notice = `\n\n(Stopped after ${options.maxSteps} steps without a final answer.)`;
      yield { type: "text-delta", text: notice };
      finishReason = "length";
    }
  }

  yield { type: "finish", finishReason, usage, steps, newContents };
}

function uniqueMissing(items: readonly (MissingCredential | undefined)[]): MissingCredential[] {
  const byToolkit = new Map<string, MissingCredential>();
  for (const item of items)
    if (item && !byToolkit.has(item.toolkit)) byToolkit.set(item.toolkit, item);
  return [...byToolkit.values()];
}
