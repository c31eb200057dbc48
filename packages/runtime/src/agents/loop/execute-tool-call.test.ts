import type {
  PluginLogger,
  ToolContext,
  ToolDefinition,
  ToolkitDefinition,
  UserSettings,
} from "@agentllm/sdk";
import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { DEFAULT_MAX_TOOL_RESULT_BYTES } from "./bound-tool-result.ts";
import { executeToolCall, type ToolCallEnv, type ToolCallRequest } from "./execute-tool-call.ts";

function logger(): PluginLogger {
  return { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
}

function settings(label: string): UserSettings & { readonly label: string } {
  return {
    label,
    get: async () => undefined,
    set: async () => {},
    delete: async () => {},
  };
}

function env(overrides: Partial<ToolCallEnv> = {}): ToolCallEnv {
  return {
    userId: "user-1",
    sessionId: "session-1",
    signal: new AbortController().signal,
    defaultTimeoutMs: 5_000,
    logger: logger(),
    settingsFor: (toolkitName) => settings(toolkitName),
    ...overrides,
  };
}

function call(
  tool: ToolDefinition,
  args: unknown = {},
  toolkitName = "kit",
  name = "the_tool",
): ToolCallRequest {
  const toolkit: ToolkitDefinition = { name: toolkitName, tools: { [name]: tool } };
  return {
    name,
    args,
    indexed: {
      tool,
      toolkit,
      maxResultBytes: tool.maxResultBytes ?? DEFAULT_MAX_TOOL_RESULT_BYTES,
    },
  };
}

function tool(
  execute: (args: never, ctx: ToolContext) => unknown,
  extra: Partial<ToolDefinition> = {},
): ToolDefinition {
  return {
    description: "test tool",
    parameters: z.object({}),
    execute: execute as ToolDefinition["execute"],
    ...extra,
  };
}

/** Resolves after `ms`, or never if `ms` is Infinity. */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const never = () => new Promise<never>(() => {});

describe("executeToolCall", () => {
  describe("result cap", () => {
    const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), "utf8");

    it("passes a result at the tool's cap through and cuts one past it, telling the model", async () => {
      const text = (n: number) => ({ text: "x".repeat(n - bytes({ text: "" })) });
      const capped = (n: number) => call(tool(() => text(n), { maxResultBytes: 2048 }));
      expect((await executeToolCall(capped(2048), env())).result).toEqual(text(2048));

      const log = logger();
      const over = await executeToolCall(capped(2049), env({ logger: log }));
      expect(over.isError).toBe(false);
      expect(bytes(over.result)).toBeLessThanOrEqual(2048);
      expect(over.result.truncated).toMatch(/of 2049 bytes shown/);
      expect(log.info).toHaveBeenCalledWith(
        expect.objectContaining({ tool: "the_tool", originalBytes: 2049, maxBytes: 2048 }),
        "tool result truncated",
      );
    });

    it("measures a non-object result as the function response the model gets", async () => {
      const outcome = await executeToolCall(
        call(tool(() => Array.from({ length: 10_000 }, (_, i) => i), { maxResultBytes: 1024 })),
        env(),
      );
      expect(bytes(outcome.result)).toBeLessThanOrEqual(1024);
      expect(Array.isArray(outcome.result.result)).toBe(true);
    });

    it("uses the default cap for a tool without its own", async () => {
      const outcome = await executeToolCall(
        call(tool(() => ({ text: "y".repeat(DEFAULT_MAX_TOOL_RESULT_BYTES * 4) }))),
        env(),
      );
      expect(bytes(outcome.result)).toBeLessThanOrEqual(DEFAULT_MAX_TOOL_RESULT_BYTES);
      expect(bytes(outcome.result)).toBeGreaterThan(DEFAULT_MAX_TOOL_RESULT_BYTES / 2);
    });

    it("caps an error message too", async () => {
      const outcome = await executeToolCall(
        call(
          tool(
            () => {
              throw new Error("e".repeat(100_000));
            },
            { maxResultBytes: 1024 },
          ),
        ),
        env(),
      );
      expect(outcome.isError).toBe(true);
      expect(bytes(outcome.result)).toBeLessThanOrEqual(1024);
      expect(String(outcome.result.error)).toMatch(/^e+…$/);
    });
  });

  it("reports an unknown tool as an error result", async () => {
    const outcome = await executeToolCall({ name: "nope", args: {}, indexed: undefined }, env());
    expect(outcome).toEqual({ result: { error: "Unknown tool 'nope'." }, isError: true });
  });

  it("passes validated (and defaulted) arguments to the tool", async () => {
    const execute = vi.fn((args: { color: string; shade: number }) => args);
    const outcome = await executeToolCall(
      call(
        tool(execute, {
          parameters: z.object({ color: z.string(), shade: z.number().default(3) }),
        }),
        { color: "teal" },
      ),
      env(),
    );
    expect(execute).toHaveBeenCalledTimes(1);
    expect(execute.mock.calls[0]?.[0]).toEqual({ color: "teal", shade: 3 });
    expect(outcome).toEqual({ result: { color: "teal", shade: 3 }, isError: false });
  });

  it("treats missing arguments as {}", async () => {
    const execute = vi.fn(() => "ok");
    const outcome = await executeToolCall(call(tool(execute), undefined), env());
    expect(execute).toHaveBeenCalledWith({}, expect.anything());
    expect(outcome.isError).toBe(false);
  });

  it("reports invalid arguments naming the field, without running the tool", async () => {
    const execute = vi.fn(() => "ran");
    const outcome = await executeToolCall(
      call(
        tool(execute, {
          parameters: z.object({ color: z.string(), nested: z.object({ shade: z.number() }) }),
        }),
        { color: 7, nested: { shade: "dark" } },
        "kit",
        "set_color",
      ),
      env(),
    );
    expect(execute).not.toHaveBeenCalled();
    expect(outcome.isError).toBe(true);
    const message = String(outcome.result.error);
    expect(message).toMatch(/^Invalid arguments for 'set_color': /);
    expect(message).toContain("color: ");
    expect(message).toContain("nested.shade: ");
  });

  it("names 'arguments' when the arguments are not an object at all", async () => {
    const outcome = await executeToolCall(call(tool(vi.fn()), "just a string", "kit", "t"), env());
    expect(outcome.isError).toBe(true);
    expect(outcome.result.error).toMatch(/^Invalid arguments for 't': arguments: /);
  });

  it("turns a thrown Error into { error: message }", async () => {
    const outcome = await executeToolCall(
      call(
        tool(async () => {
          throw new Error("database is down");
        }),
      ),
      env(),
    );
    expect(outcome).toEqual({ result: { error: "database is down" }, isError: true });
  });

  it("turns a synchronous throw of a non-Error into { error: String(value) }", async () => {
    const outcome = await executeToolCall(
      call(
        tool(() => {
          throw "plain string";
        }),
      ),
      env(),
    );
    expect(outcome).toEqual({ result: { error: "plain string" }, isError: true });
  });

  it("times out a tool that takes longer than its timeoutMs", async () => {
    const outcome = await executeToolCall(
      call(
        tool(
          async (_args, ctx) => {
            await sleep(2_000);
            return ctx.signal.aborted ? "saw abort" : "finished";
          },
          { timeoutMs: 30 },
        ),
        {},
        "kit",
        "slow",
      ),
      env(),
    );
    expect(outcome).toEqual({
      result: { error: "Tool 'slow' timed out after 30 ms." },
      isError: true,
    });
  });

  it("does not wait for a tool that ignores its signal", async () => {
    const started = performance.now();
    const outcome = await executeToolCall(call(tool(never, { timeoutMs: 25 })), env());
    expect(outcome.isError).toBe(true);
    expect(outcome.result.error).toMatch(/timed out after 25 ms/);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it("uses the default timeout when the tool sets none", async () => {
    const started = performance.now();
    const outcome = await executeToolCall(call(tool(never)), env({ defaultTimeoutMs: 40 }));
    expect(outcome.result.error).toMatch(/timed out after 40 ms/);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it("prefers the tool's own timeout over the default", async () => {
    const outcome = await executeToolCall(
      call(
        tool(
          async () => {
            await sleep(60);
            return "done";
          },
          { timeoutMs: 2_000 },
        ),
      ),
      env({ defaultTimeoutMs: 10 }),
    );
    expect(outcome).toEqual({ result: { result: "done" }, isError: false });
  });

  it("rejects with the request's abort reason when the request is aborted mid-call", async () => {
    const controller = new AbortController();
    const reason = new Error("client went away");
    const promise = executeToolCall(call(tool(never)), env({ signal: controller.signal }));
    setTimeout(() => controller.abort(reason), 10);
    await expect(promise).rejects.toBe(reason);
  });

  it("rejects when the request was aborted before a slow tool", async () => {
    const controller = new AbortController();
    const reason = new Error("already gone");
    controller.abort(reason);
    await expect(
      executeToolCall(call(tool(never)), env({ signal: controller.signal })),
    ).rejects.toBe(reason);
  });

  // Regression: a request aborted before its tools start must not run them (a fast tool used to win the race).
  it("rejects, without running the tool, when the request was aborted before a fast tool", async () => {
    const controller = new AbortController();
    const reason = new Error("already gone");
    controller.abort(reason);
    const execute = vi.fn(async () => "ok");
    await expect(
      executeToolCall(call(tool(execute)), env({ signal: controller.signal })),
    ).rejects.toBe(reason);
    expect(execute).not.toHaveBeenCalled();
  });

  it("propagates the request's abort even when the tool turns it into its own error", async () => {
    const controller = new AbortController();
    const reason = new Error("client went away");
    const promise = executeToolCall(
      call(
        tool(
          (_args, ctx) =>
            new Promise((_resolve, reject) => {
              ctx.signal.addEventListener("abort", () => reject(new Error("fetch aborted")));
            }),
        ),
      ),
      env({ signal: controller.signal }),
    );
    setTimeout(() => controller.abort(reason), 10);
    await expect(promise).rejects.toBe(reason);
  });

  it.each([
    ["a string", "teal", { result: "teal" }],
    ["a number", 42, { result: 42 }],
    ["a boolean", false, { result: false }],
    ["null", null, { result: null }],
    ["undefined", undefined, { result: null }],
    ["an array", [1, "two"], { result: [1, "two"] }],
  ])("wraps %s as { result }", async (_label, value, expected) => {
    const outcome = await executeToolCall(call(tool(async () => value)), env());
    expect(outcome).toEqual({ result: expected, isError: false });
  });

  it("returns a plain object result as it is", async () => {
    const outcome = await executeToolCall(call(tool(() => ({ color: "teal", n: 1 }))), env());
    expect(outcome).toEqual({ result: { color: "teal", n: 1 }, isError: false });
  });

  it("turns results into plain JSON data", async () => {
    class Swatch {
      constructor(readonly hex: string) {}
      get upper() {
        return this.hex.toUpperCase();
      }
    }
    const outcome = await executeToolCall(
      call(
        tool(() => ({
          swatch: new Swatch("#00ffaa"),
          when: new Date("2024-01-02T03:04:05.000Z"),
          gone: undefined,
        })),
      ),
      env(),
    );
    expect(outcome.result).toEqual({
      swatch: { hex: "#00ffaa" },
      when: "2024-01-02T03:04:05.000Z",
    });
    expect(Object.getPrototypeOf(outcome.result.swatch)).toBe(Object.prototype);
    expect("gone" in outcome.result).toBe(false);
  });

  it("reports a result that cannot be serialised as an error", async () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const outcome = await executeToolCall(call(tool(() => circular)), env());
    expect(outcome.isError).toBe(true);
    expect(typeof outcome.result.error).toBe("string");
  });

  it("gives the tool userId, sessionId, logger and its own toolkit's settings", async () => {
    let seen: ToolContext | undefined;
    const log = logger();
    const settingsFor = vi.fn((name: string) => settings(`settings of ${name}`));
    await executeToolCall(
      call(
        tool((_args, ctx) => {
          seen = ctx;
          return "ok";
        }),
        {},
        "color",
      ),
      env({ userId: "alice", sessionId: "s-42", logger: log, settingsFor }),
    );
    expect(seen?.userId).toBe("alice");
    expect(seen?.sessionId).toBe("s-42");
    expect(seen?.logger).toBe(log);
    expect(settingsFor).toHaveBeenCalledWith("color");
    expect((seen?.settings as { label?: string } | undefined)?.label).toBe("settings of color");
    expect(seen?.signal).toBeInstanceOf(AbortSignal);
    expect(seen?.signal.aborted).toBe(false);
  });

  it("passes undefined userId and sessionId through for anonymous requests", async () => {
    let seen: ToolContext | undefined;
    await executeToolCall(
      call(
        tool((_args, ctx) => {
          seen = ctx;
        }),
      ),
      env({ userId: undefined, sessionId: undefined }),
    );
    expect(seen).toBeDefined();
    expect(seen?.userId).toBeUndefined();
    expect(seen?.sessionId).toBeUndefined();
  });

  it("aborts the tool's signal when its timeout passes", async () => {
    let seen: AbortSignal | undefined;
    const outcome = await executeToolCall(
      call(
        tool(
          (_args, ctx) => {
            seen = ctx.signal;
            return never();
          },
          { timeoutMs: 20 },
        ),
      ),
      env(),
    );
    expect(outcome.isError).toBe(true);
    expect(seen?.aborted).toBe(true);
    expect((seen?.reason as Error | undefined)?.name).toBe("TimeoutError");
  });

  it("aborts the tool's signal when the request is aborted", async () => {
    const controller = new AbortController();
    let seen: AbortSignal | undefined;
    const promise = executeToolCall(
      call(
        tool((_args, ctx) => {
          seen = ctx.signal;
          return never();
        }),
      ),
      env({ signal: controller.signal }),
    );
    controller.abort(new Error("bye"));
    await expect(promise).rejects.toThrow("bye");
    expect(seen?.aborted).toBe(true);
  });
});
