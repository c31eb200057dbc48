import type { Content } from "@google/genai";
import type { AgentEvent } from "../agents/loop/agent-event.ts";
import {
  executeToolCall,
  type ToolCallEnv,
  type ToolOutcome,
} from "../agents/loop/execute-tool-call.ts";
import type { GeminiToolset } from "../agents/loop/to-gemini-tools.ts";
import { doneStatus, toolStatus } from "../agents/loop/tool-status.ts";
import { scrubText } from "../vault/scrub-secrets.ts";
import type { ApprovalOutcome } from "./approvals.ts";

/** What the model is told about calls that did not run, by outcome. */
const NOT_RUN: Record<Exclude<ApprovalOutcome["kind"], "approved">, string> = {
  declined:
    "The user declined this change, so it was not made. Do not make it unless they ask again.",
  expired:
    "The approval request expired before the user answered, so this change was not made. Ask again if it is still wanted.",
  "moved-on":
    "The user did not approve this change (their latest message is not an approval), so it was not made. Answer their message; ask for approval again only if they still want the change.",
  "not-valid":
    "This change was not made: its approval request was no longer valid. Ask again if it is still wanted.",
};

/**
 * The step an approval request interrupted, finished: the stored calls asked for again in the
 * model's name (stored arguments only, never the client's or a new model call's), each answered
 * by its result (approved: the tool ran, once, in the order asked) or by why it did not run.
 * Gemini wants every functionCall answered by a functionResponse, and the asking turn already
 * answered its calls with "awaiting approval"; so the resumed calls are a new model turn after
 * the user's reply, and the history stays valid in every branch. Returns those two contents.
 */
export async function* resumeApproval(
  outcome: ApprovalOutcome,
  toolset: GeminiToolset,
  env: ToolCallEnv,
): AsyncGenerator<AgentEvent, Content[]> {
  const calls = outcome.calls;
  if (calls.length === 0) return [];
  for (const call of calls) {
    yield { type: "tool-call", callId: call.callId, name: call.name, args: call.args };
  }
  const outcomes: ToolOutcome[] = [];
  const scrub = (text: string) => scrubText(text, env.credentials?.scrubForms() ?? []);
  for (const call of calls) {
    const indexed = toolset.byName.get(call.name);
    let result: ToolOutcome;
    if (outcome.kind === "approved") {
      // The approved change shows its status line while it runs, as any tool call does.
      const description = toolStatus(call.name, call.args, indexed, scrub);
      yield { type: "status", callId: call.callId, description, done: false };
      // One after another: a user approving "comment, then close" means that order.
      result = await executeToolCall({ name: call.name, args: call.args, indexed }, env);
      yield {
        type: "status",
        callId: call.callId,
        description: doneStatus(description, result),
        done: true,
      };
    } else {
      result = { result: { error: NOT_RUN[outcome.kind] }, isError: true };
    }
    // The connect detour cannot run here (this turn's answer is the model's); say what to do.
    const given: ToolOutcome = result.credentialRequired
      ? {
          result: {
            error: `Not done: ${result.credentialRequired.title} is not connected (${result.credentialRequired.reason}). Tell the user to connect it, then ask for this change again.`,
          },
          isError: true,
        }
      : result;
    outcomes.push(given);
    if (outcome.kind === "approved") {
      yield {
        type: "tool-result",
        callId: call.callId,
        name: call.name,
        args: call.args,
        result: given.result,
        isError: given.isError,
      };
    }
  }
  return [
    {
      role: "model",
      parts: calls.map((call) => ({
        functionCall: { name: call.name, args: (call.args ?? {}) as Record<string, unknown> },
      })),
    },
    {
      role: "user",
      parts: calls.map((call, i) => ({
        functionResponse: { name: call.name, response: outcomes[i]?.result ?? {} },
      })),
    },
  ];
}
