import { describe, expect, it } from "vitest";
import { fillArgs } from "./fill-args.ts";

const fn = (schema: unknown) => ({ name: "make_palette", parametersJsonSchema: schema });

describe("fillArgs", () => {
  it("returns no arguments for a function without a schema", () => {
    expect(fillArgs({ name: "ping" }, "ping it")).toEqual({});
  });

  it("reads nullable, anyOf and array schemas", () => {
    const schema = {
      type: "object",
      properties: {
        topic: { type: ["string", "null"] },
        size: { anyOf: [{ type: "null" }, { type: "integer", minimum: 10, maximum: 20 }] },
        tags: { type: "array", items: { type: "string" }, minItems: 2 },
        strict: { type: "boolean" },
      },
      required: ["topic", "size", "tags", "strict"],
    };
    expect(fillArgs(fn(schema), "a palette about autumn")).toEqual({
      topic: "autumn",
      size: 10,
      tags: ["autumn", "autumn"],
      strict: false,
    });
  });

  it("turns a color name into hex when the pattern wants hex", () => {
    const schema = {
      type: "OBJECT",
      properties: { base_color: { type: "STRING", pattern: "^#[0-9a-fA-F]{6}$" } },
      required: ["base_color"],
    };
    expect(fillArgs(fn(schema), "palette from green")).toEqual({ base_color: "#008000" });
    expect(fillArgs(fn(schema), "palette from #123456")).toEqual({ base_color: "#123456" });
  });

  it("leaves an optional color out unless the user named a color", () => {
    const schema = {
      type: "object",
      properties: {
        paletteType: { type: "string", enum: ["complementary", "analogous"] },
        color: { type: "string" },
      },
      required: ["paletteType"],
    };
    expect(fillArgs(fn(schema), "make me a complementary palette please")).toEqual({
      paletteType: "complementary",
    });
    expect(fillArgs(fn(schema), "an analogous palette from red")).toEqual({
      paletteType: "analogous",
      color: "red",
    });
  });

  it("takes numbers the user said when they fit the bounds", () => {
    const schema = {
      type: "object",
      properties: { count: { type: "integer", minimum: 2, maximum: 8 } },
      required: ["count"],
    };
    expect(fillArgs(fn(schema), "palette of 6")).toEqual({ count: 6 });
    expect(fillArgs(fn(schema), "palette of 60")).toEqual({ count: 3 });
  });
});
