import { randomUUID } from "node:crypto";
import type { Request, Response } from "express";
import type { AgentEvent, FinishReason, Usage } from "../../agents/loop/agent-event.ts";
import type { AgentRegistry } from "../../agents/registry.ts";
import { answerTask } from "../../conversation/answer-task.ts";
import { isBackgroundTask } from "../../conversation/background-task.ts";
import { runTurn, type TurnDeps, type TurnParams } from "../../conversation/run-turn.ts";
import { hasAnswerText, hasUserInput } from "../../conversation/to-gemini-contents.ts";
import { STREAM_STATUS_LOCAL } from "../../metrics/count-requests.ts";
import { observeRun } from "../../metrics/observe-run.ts";
import type { RuntimeMetrics } from "../../metrics/runtime-metrics.ts";
import { type ChatMessage, type ChatRequest, chatRequestSchema } from "../chat-request-schema.ts";
import { cutByDrain, type Drain, drainingError } from "../drain.ts";
import { classify } from "../error-handler.ts";
import { ApiError } from "../errors.ts";
import { readIdentity } from "../identity-headers.ts";
import { openSse } from "../sse.ts";
import {
  type CompletionIdentity,
  chunk,
  completion,
  statusChunk,
  toDelta,
  usageChunk,
} from "../to-openai-chunk.ts";
import { validateBody } from "../validate-body.ts";

export interface ChatRouteDeps {
  readonly registry: AgentRegistry;
  readonly turn: TurnDeps;
  readonly metrics?: RuntimeMetrics | undefined;
  /** Counts this route's runs for a graceful shutdown, and cuts them at its deadline. */
  readonly drain?: Drain | undefined;
}

/** Why a run was stopped when the client went away; never shown to anyone. */
class ClientDisconnectedError extends Error {
  override readonly name = "ClientDisconnectedError";
}

/** `POST /v1/chat/completions`: validates, finds the agent, runs a turn, answers as OpenAI does. */
export function chatCompletions(deps: ChatRouteDeps) {
  return async (req: Request, res: Response): Promise<void> => {
    const startedAt = performance.now();
    const body = validateBody(chatRequestSchema, req.body);
    const agent = deps.registry.resolve(body.model);
    const identity = readIdentity(req);
    const continuing = assertSomethingToAnswer(body.messages) === "continue";

    const controller = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) controller.abort(new ClientDisconnectedError("client went away"));
    });
    const task = isBackgroundTask(body.messages, identity.task);
    req.log.info(
      {
        agent: agent.definition.name,
        stream: Boolean(body.stream),
        user: identity.userId !== undefined,
        ...(task ? { task: identity.task ?? "prompt" } : {}),
      },
      task ? "background task" : "chat completion",
    );

    const params: TurnParams = {
      temperature: body.temperature ?? undefined,
      maxOutputTokens: body.max_completion_tokens ?? body.max_tokens ?? undefined,
      topP: body.top_p ?? undefined,
      stopSequences: typeof body.stop === "string" ? [body.stop] : (body.stop ?? undefined),
    };
    const run = task
      ? answerTask(deps.turn, {
          agent,
          messages: body.messages,
          params,
          signal: controller.signal,
          logger: req.log,
        })
      : runTurn(deps.turn, {
          agent,
          messages: body.messages,
          params,
          userId: identity.userId,
          sessionId: identity.sessionId,
          signal: controller.signal,
          logger: req.log,
        });
    const events = deps.metrics
      ? observeRun(
          deps.metrics,
          { agent: agent.definition.name, startedAt, signal: controller.signal },
          run,
        )
      : run;
    const completionId: CompletionIdentity = {
      id: `chatcmpl-${randomUUID()}`,
      created: Math.floor(Date.now() / 1000),
      model: body.model,
    };
    // The run starts with the answer's first read: tracked from here to its stored end.
    const untrack = deps.drain?.track(controller);
    try {
      if (body.stream) await streamAnswer(req, res, events, completionId, body, controller.signal);
      else await answerOnce(res, events, completionId, controller.signal, continuing);
    } finally {
      untrack?.();
    }
  };
}

/**
 * The agent answers a user, or continues its own last answer (Open WebUI's Continue button sends
 * the history ending with that answer); either way the conversation needs something from the user.
 */
function assertSomethingToAnswer(messages: readonly ChatMessage[]): "answer" | "continue" {
  const last = messages.findLastIndex((m) => m.role !== "system" && m.role !== "developer");
  const lastTurn = messages[last];
  if (lastTurn?.role === "assistant" && hasAnswerText(lastTurn.content)) {
    if (messages.some((m) => m.role === "user" && hasUserInput(m.content))) return "continue";
    throw invalidMessages(
      "messages: an answer to continue needs a user message before it.",
      "messages",
    );
  }
  if (lastTurn?.role !== "user") {
    throw invalidMessages(
      "messages must end with a user message for the agent to answer (or with an assistant message with text, to continue it).",
      "messages",
    );
  }
  // The user's new turn is every user message since the last answer; one of them must say something.
  const sinceAnswer = messages.slice(messages.findLastIndex((m) => m.role === "assistant") + 1);
  if (!sinceAnswer.some((m) => m.role === "user" && hasUserInput(m.content))) {
    throw invalidMessages(
      `messages.${last}.content: the last user message has nothing in it (no text, no part) for the agent to answer.`,
      `messages.${last}.content`,
    );
  }
  return "answer";
}

function invalidMessages(message: string, param: string): ApiError {
  return new ApiError({
    status: 400,
    type: "invalid_request_error",
    code: "invalid_messages",
    message,
    param,
  });
}

async function streamAnswer(
  req: Request,
  res: Response,
  events: AsyncGenerator<AgentEvent>,
  id: CompletionIdentity,
  body: ChatRequest,
  signal: AbortSignal,
): Promise<void> {
  // Wait for the first event before committing to 200: an error before any output (unknown
  // upstream key, rate limit) keeps its real HTTP status.
  const first = await events.next().catch((error: unknown) => {
    // Cut by a drain before any output: nothing is sent yet, so the 503 keeps its status.
    if (cutByDrain(signal)) throw drainingError(true);
    if (signal.aborted) return null;
    throw error;
  });
  if (first === null) return;
  if (first.done && cutByDrain(signal)) throw drainingError(true);
  const sse = openSse(res);
  try {
    // Each event's chunks leave in one write: the headers and the role chunk go with the first
    // event, and the finish, usage and [DONE] chunks end the response together.
    let pending: object[] = [chunk(id, { role: "assistant", content: "" })];
    let next = first;
    while (!next.done) {
      const event = next.value;
      const delta = toDelta(event);
      if (delta) pending.push(chunk(id, delta));
      if (event.type === "status") pending.push(statusChunk(id, event));
      if (event.type === "finish") {
        pending.push(chunk(id, {}, event.finishReason));
        if (body.stream_options?.include_usage) pending.push(usageChunk(id, event.usage));
        // The answer is complete for the client now; storing the turn (which the session lock
        // keeps ahead of the conversation's next request) need not hold its stream open.
        sse.end(...pending, "[DONE]");
      } else {
        sse.send(...pending);
      }
      pending = [];
      next = await events.next();
    }
    // Cut at the drain deadline: the client is told why its answer stops here.
    if (cutByDrain(signal)) sse.end(...pending, drainingError(true).toJSON());
    // A run that ended without a finish event (no-op after one).
    sse.end(...pending, "[DONE]");
  } catch (error) {
    if (cutByDrain(signal)) {
      req.log.warn({ code: "runtime_draining" }, "stream cut at the drain deadline");
      sse.end(drainingError(true).toJSON());
    } else if (!signal.aborted) {
      // After the first byte the status is sent: the error travels as the last event.
      const apiError = classify(error);
      res.locals[STREAM_STATUS_LOCAL] = apiError.status;
      req.log.warn({ status: apiError.status, code: apiError.code }, "stream failed");
      sse.end(apiError.toJSON());
    }
  } finally {
    await events.return(undefined).catch(() => {});
    sse.end();
  }
}

async function answerOnce(
  res: Response,
  events: AsyncGenerator<AgentEvent>,
  id: CompletionIdentity,
  signal: AbortSignal,
  continuing: boolean,
): Promise<void> {
  let content = "";
  let reasoning = "";
  let finishReason: FinishReason = "stop";
  let usage: Usage | undefined;
  try {
    for await (const event of events) {
      const delta = toDelta(event);
      content += delta?.content ?? "";
      reasoning += delta?.reasoning_content ?? "";
      if (event.type === "finish") {
        finishReason = event.finishReason;
        usage = event.usage;
      }
    }
  } catch (error) {
    if (cutByDrain(signal)) throw drainingError(true);
    if (signal.aborted) return;
    throw error;
  }
  if (!usage) {
    if (cutByDrain(signal)) throw drainingError(true);
    if (signal.aborted) return;
    // A run that ends without finishing must still answer, never leave the client hanging.
    throw new Error("the agent run ended without a finish event");
  }
  // A continuation is appended to the answer the client shows: its leading space is a word break.
  const text = continuing ? content : content.trimStart();
  res.json(completion(id, { content: text, reasoning }, finishReason, usage));
}
