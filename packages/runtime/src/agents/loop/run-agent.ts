import { randomUUID } from "node:crypto";
import type { Content, GenerateContentConfig } from "@google/genai";
import { context, SpanKind } from "@opentelemetry/api";
import pLimit from "p-limit";
import type { MissingCredential } from "../../connect/connect-answer.ts";
import { markFailed, tracer } from "../../tracing/tracer.ts";
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
import type { GeminiToolset, IndexedTool } from "./to-gemini-tools.ts";
import { doneStatus, toolStatus } from "./tool-status.ts";

/** A side-effect call the model asked for, held back for the user's approval. */
export interface HeldCall {
  readonly callId: string;
  readonly name: string;
  /** The model's arguments, as they will run. */
  readonly args: unknown;
  /** The same, validated by the tool's schema (defaults filled in): what the user is shown. */
  readonly validated: Readonly<Record<string, unknown>>;
  /** The tool's own line for a human (`sideEffect.describe`). */
  readonly description: string;
}

/** Where side-effect calls go instead of running (see approval/). */
export interface ApprovalGate {
  /** Stores the held calls for approval; the text is the run's last answer. */
  request(calls: readonly HeldCall[]): Promise<string>;
}

/** What a held call's function response says: true, and what the model needs next turn. */
export const AWAITING_APPROVAL = {
  status: "awaiting_approval",
  message:
    "Not run yet: the user was shown this change and asked to approve or decline it in their next message. The runtime runs it once they approve and gives you the result.",
};

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
  /**
   * Side-effect tools' calls are held and handed here instead of running, and the run ends
   * with its answer. Without a gate (an anonymous or stateless request) they do not run at all.
   */
  readonly approval?: ApprovalGate;
  /**
   * Contents this turn already has before the first model call (the resumed step of an
   * approval, `approval/resume-approval.ts`): sent to the model and stored with the turn.
   */
  readonly prelude?: readonly Content[];
  /** Most side-effect calls one step may hold for approval; the rest get an error result. */
  readonly maxHeldCalls?: number;
}

/**
 * A step asking for more changes than this at once is told to ask for the rest later; with Jira's
 * 32,767-character text fields it bounds one stored request (and the answer showing it) to
 * about a megabyte.
 */
export const DEFAULT_MAX_HELD_CALLS = 8;

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
  const newContents: Content[] = [...(options.prelude ?? [])];
  let usage: Usage = emptyUsage();
  let finishReason: FinishReason = "stop";
  let thoughtBefore = false;

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
    let thoughtThisStep = false;
    // One span per model call: model, tokens, finish reason; never the prompt or the answer.
    const modelSpan = tracer.startSpan(`chat ${options.model}`, {
      kind: SpanKind.CLIENT,
      attributes: {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "gcp.gemini",
        "gen_ai.request.model": options.model,
        "agentllm.step": stepIndex,
      },
    });
    try {
      while (!step) {
        const next = await stepStream.next();
        if (next.done) step = next.value;
        else {
          // Each step's thought summary starts with its own heading; a break keeps it from running
          // into the previous step's last sentence in the client's one thinking block.
          if (next.value.type === "reasoning-delta" && !thoughtThisStep) {
            if (thoughtBefore) yield { type: "reasoning-delta", text: "\n\n" };
            thoughtThisStep = thoughtBefore = true;
          }
          yield next.value;
        }
      }
      modelSpan.setAttributes({
        "gen_ai.usage.input_tokens": step.usage.promptTokens,
        "gen_ai.usage.output_tokens": step.usage.completionTokens,
        "agentllm.usage.cached_tokens": step.usage.cachedTokens,
        "agentllm.usage.reasoning_tokens": step.usage.reasoningTokens,
        "gen_ai.response.finish_reasons": [step.finishReason],
        "agentllm.tool_calls": step.functionCalls.length,
      });
    } catch (error) {
      markFailed(modelSpan, error);
      throw error;
    } finally {
      modelSpan.end();
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
    // Side effects never run here: valid ones are held for the user's approval (read-only calls
    // of the same step still run); invalid ones fall through to the usual "invalid arguments".
    const maxHeld = options.maxHeldCalls ?? DEFAULT_MAX_HELD_CALLS;
    const held: HeldCall[] = [];
    const holds = calls.map((call, i): ToolOutcome | undefined => {
      if (i >= perStep) return undefined;
      const indexed = toolset.byName.get(call.name);
      const hold = holdable(indexed, call);
      if (!hold) return undefined;
      if (!options.approval) {
        return failure(
          `'${call.name}' changes data and needs the user's approval, which needs a signed-in user and a conversation id; this request has neither, so it did not run. Tell the user.`,
        );
      }
      if (held.length >= maxHeld) {
        return failure(
          `At most ${maxHeld} changes can be put to the user at once; this one was not. Ask for it again after the user has answered.`,
        );
      }
      held.push({ callId: call.callId, name: call.name, args: call.args ?? {}, ...hold });
      return { result: AWAITING_APPROVAL, isError: false };
    });
    // Status lines only for the calls that run now: not held ones, not those past the cap.
    const scrub = (text: string) => scrubText(text, toolEnv.credentials?.scrubForms() ?? []);
    const running = calls.flatMap((call, i) =>
      i < perStep && !holds[i]
        ? [
            {
              i,
              call,
              status: toolStatus(call.name, call.args, toolset.byName.get(call.name), scrub),
            },
          ]
        : [],
    );
    for (const { call, status } of running) {
      yield { type: "status", callId: call.callId, description: status, done: false };
    }
    const pending = calls.map(
      (call, i): Promise<ToolOutcome> =>
        holds[i]
          ? Promise.resolve(holds[i])
          : i >= perStep
            ? Promise.resolve({
                result: {
                  error: `Too many tool calls in one step (at most ${perStep}); this one did not run. Ask for it again in a later step.`,
                },
                isError: true,
              })
            : slot(
                // The tool's span is a child of this request's, whenever its slot comes free.
                context.bind(context.active(), () =>
                  executeToolCall(
                    { name: call.name, args: call.args, indexed: toolset.byName.get(call.name) },
                    toolEnv,
                  ),
                ),
              ),
    );
    // Each call's status is marked done as it finishes, not when the slowest one does.
    const unfinished = new Map(
      running.map((entry, r) => [r, (pending[entry.i] as Promise<ToolOutcome>).then(() => r)]),
    );
    while (unfinished.size > 0) {
      const r = await Promise.race(unfinished.values());
      unfinished.delete(r);
      const { i, call, status } = running[r] as (typeof running)[number];
      const outcome = await (pending[i] as Promise<ToolOutcome>);
      yield {
        type: "status",
        callId: call.callId,
        description: doneStatus(status, outcome),
        done: true,
      };
    }
    const outcomes = await Promise.all(pending);
    const missing = uniqueMissing(outcomes.map((outcome) => outcome.credentialRequired));
    const detour = missing.length > 0 && options.connectAnswer !== undefined;
    if (detour && held.length > 0) {
      // The connect detour ends this run first; nothing is put up for approval now.
      for (const [i, hold] of holds.entries()) {
        if (hold && !hold.isError) {
          outcomes[i] = failure(
            "Not run: the user must first connect an account (they were given a link). Ask for this change again after they have.",
          );
        }
      }
      held.length = 0;
    }
    const toolResults = calls.map((call, i) => {
      const outcome = outcomes[i] as (typeof outcomes)[number];
      return {
        callId: call.callId,
        name: call.name,
        result: outcome.result,
        isError: outcome.isError,
      };
    });
    const heldIds = new Set(held.map((call) => call.callId));
    for (const [i, result] of toolResults.entries()) {
      // A held call has no card: the approval answer shows it in full.
      if (!heldIds.has(result.callId))
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
    if (held.length > 0 && options.approval) {
      // Approval before side effects: the runtime answers, as in the connect detour below; the
      // stored history reads as if the model had asked (its calls, "awaiting approval", this text).
      const answer = await options.approval.request(held);
      newContents.push({ role: "model", parts: [{ text: answer }] });
      // Its own paragraph after whatever the model wrote first.
      const wrote = steps.some((record) => record.text.trim() !== "");
      yield { type: "text-delta", text: wrote ? `\n\n${answer}` : answer };
      finishReason = "stop";
      break;
    }
    if (detour && options.connectAnswer) {
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

/** The validated arguments and description of a side-effect call, or undefined to run it as usual. */
function holdable(
  indexed: IndexedTool | undefined,
  call: { name: string; args: unknown },
): { validated: Readonly<Record<string, unknown>>; description: string } | undefined {
  const sideEffect = indexed?.tool.sideEffect;
  if (!indexed || !sideEffect) return undefined;
  const parsed = indexed.tool.parameters.safeParse(call.args ?? {});
  if (!parsed.success) return undefined;
  const validated =
    parsed.data !== null && typeof parsed.data === "object" && !Array.isArray(parsed.data)
      ? (parsed.data as Record<string, unknown>)
      : { value: parsed.data };
  let description: string;
  try {
    description = sideEffect.describe(parsed.data);
  } catch {
    description = `Run ${call.name}`;
  }
  return { validated, description: description.trim().slice(0, 300) || `Run ${call.name}` };
}

function failure(message: string): ToolOutcome {
  return { result: { error: message }, isError: true };
}

function uniqueMissing(items: readonly (MissingCredential | undefined)[]): MissingCredential[] {
  const byToolkit = new Map<string, MissingCredential>();
  for (const item of items)
    if (item && !byToolkit.has(item.toolkit)) byToolkit.set(item.toolkit, item);
  return [...byToolkit.values()];
}
