import { describe, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { defineTool, defineToolkit } from "./define-toolkit.ts";

describe("defineTool", () => {
  it("infers execute's args from the zod schema", () => {
    const tool = defineTool({
      description: "adds",
      parameters: z.object({ a: z.number(), b: z.number().optional() }),
      execute(args) {
        expectTypeOf(args).toEqualTypeOf<{ a: number; b?: number | undefined }>();
        return args.a + (args.b ?? 0);
      },
    });
    expectTypeOf(tool.execute).returns.toEqualTypeOf<number | Promise<number>>();
  });

  it("rejects a body that misuses the arguments", () => {
    defineTool({
      description: "x",
      parameters: z.object({ name: z.string() }),
      // @ts-expect-error name is a string, not a number
      execute: (args: { name: number }) => args.name,
    });
  });

  it("types a side effect's describe by the same schema, and a toolkit takes it", () => {
    const tool = defineTool({
      description: "comments",
      parameters: z.object({ issue_key: z.string() }),
      sideEffect: {
        describe(args) {
          expectTypeOf(args).toEqualTypeOf<{ issue_key: string }>();
          return `Comment on ${args.issue_key}`;
        },
      },
      execute: () => ({ ok: true }),
    });
    defineToolkit({ name: "jira", tools: { add_comment: tool } });
  });

  it("keeps the toolkit's literal name", () => {
    const kit = defineToolkit({ name: "color", tools: {} });
    expectTypeOf(kit.name).toEqualTypeOf<"color">();
  });
});
