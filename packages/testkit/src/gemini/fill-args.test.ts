import { describe, expect, it } from "vitest";
import { z } from "zod";
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

  describe("with the JSON schemas z.toJSONSchema emits (what the runtime declares)", () => {
    /** Arguments for `schema` from `text`, checked against the zod schema itself. */
    function fill(schema: z.ZodType, text: string, name = "run_tool"): Record<string, unknown> {
      const args = fillArgs(
        { name, parametersJsonSchema: z.toJSONSchema(schema, { io: "input" }) },
        text,
      );
      const parsed = schema.safeParse(args);
      if (!parsed.success) throw new Error(`${JSON.stringify(args)}: ${parsed.error.message}`);
      return args;
    }

    const greeting = z.object({
      name: z.string().min(1).max(100).describe("Who to greet"),
      style: z.enum(["friendly", "formal", "pirate"]).default("friendly"),
      times: z.number().int().min(1).max(3).default(1),
    });

    it("fills the new-agent template's tool from a plain request, keeping the name as written", () => {
      expect(fill(greeting, "Please write a greeting for Ada", "write_greeting")).toEqual({
        name: "Ada",
      });
      expect(
        fill(greeting, "Write a formal greeting for Grace, 2 times", "write_greeting"),
      ).toEqual({ name: "Grace", style: "formal", times: 2 });
    });

    it("takes a listed enum value: the one said, else the first for a required enum", () => {
      const schema = z.object({ unit: z.enum(["celsius", "fahrenheit"]), city: z.string() });
      expect(fill(schema, "weather in Oslo in fahrenheit")).toEqual({
        unit: "fahrenheit",
        city: "Oslo",
      });
      expect(fill(schema, "weather for Oslo").unit).toBe("celsius");
      const numeric = z.object({ level: z.union([z.literal(1), z.literal(2), z.literal(3)]) });
      expect([1, 2, 3]).toContain(fill(numeric, "go").level);
    });

    it("keeps numbers within bounds, whole for integers, and on multipleOf", () => {
      const schema = z.object({
        positive: z.number().positive(),
        below: z.number().int().lt(3),
        big: z.number().int().min(10).max(20),
        fives: z.number().int().multipleOf(5).min(1),
        ratio: z.number().min(0).max(1),
        small: z.number().max(-5),
      });
      expect(fill(schema, "do it")).toEqual({
        positive: 3,
        below: 2,
        big: 10,
        fives: 5,
        ratio: 1,
        small: -5,
      });
    });

    it("takes the number said next to a parameter's name", () => {
      const schema = z.object({
        days: z.number().int().min(1).max(14),
        people: z.number().int().min(1).max(10),
      });
      expect(fill(schema, "a trip of 9 days for 4 people")).toEqual({ days: 9, people: 4 });
      // A number outside the bounds is not used.
      expect(fill(schema, "a trip of 30 days").days).toBe(3);
    });

    it("sets a boolean the user mentions, false after 'no'/'without', else false or omitted", () => {
      const schema = z.object({
        include_details: z.boolean(),
        dry_run: z.boolean().optional(),
      });
      expect(fill(schema, "the report with details")).toEqual({ include_details: true });
      expect(fill(schema, "the report without details")).toEqual({ include_details: false });
      expect(fill(schema, "the report")).toEqual({ include_details: false });
      expect(fill(schema, "the report, dry run please")).toEqual({
        include_details: false,
        dry_run: true,
      });
    });

    it("fills several parameters, nested objects and arrays", () => {
      const schema = z.object({
        title: z.string(),
        address: z.object({
          city: z.string(),
          zip: z.string().regex(/^\d{5}$/),
          country: z.string().length(2).optional(),
        }),
        tags: z.array(z.string()).min(2).max(4),
        colors: z.array(z.enum(["red", "green", "blue"])).min(1),
        point: z.tuple([z.number(), z.number()]),
        scores: z.record(z.string(), z.number()),
      });
      const args = fill(schema, "ship it to city Berlin 10115 in red and blue");
      expect(args.address).toMatchObject({ city: "Berlin", zip: "10115" });
      expect(args.tags).toHaveLength(2);
      expect(args.colors).toEqual(["red", "blue"]);
      expect(args.point).toHaveLength(2);
    });

    it("writes strings in their format: the user's value when given, else a valid example", () => {
      const schema = z.object({
        email: z.email(),
        site: z.url(),
        when: z.iso.datetime(),
        day: z.iso.date(),
        at: z.iso.time(),
        id: z.uuid(),
        ip: z.ipv4(),
        span: z.iso.duration(),
      });
      const given = fill(
        schema,
        "mail ada@example.org about https://example.org/x on 2024-02-29 (2024-02-29T10:00:00Z)",
      );
      expect(given).toMatchObject({
        email: "ada@example.org",
        site: "https://example.org/x",
        when: "2024-02-29T10:00:00Z",
        day: "2024-02-29",
      });
      fill(schema, "nothing useful here");
    });

    it("respects string length bounds and patterns", () => {
      const schema = z.object({
        code: z.string().regex(/^[A-Z]{3}$/),
        short: z.string().max(4),
        long: z.string().min(12),
      });
      expect(fill(schema, "convert to EUR").code).toBe("EUR");
      fill(schema, "hello");
    });

    it("fills required fields always and optional ones only when the user said something", () => {
      const schema = z.object({
        query: z.string(),
        limit: z.number().int().min(1).max(50).optional(),
        sort: z.enum(["newest", "oldest"]).optional(),
        note: z.string().nullable().optional(),
      });
      expect(fill(schema, "search for llamas")).toEqual({ query: "llamas" });
      expect(fill(schema, "search for llamas, newest first, limit 5")).toMatchObject({
        query: "llamas",
        sort: "newest",
        limit: 5,
      });
    });

    it("follows a recursive schema ($ref) without looping", () => {
      interface Node {
        label: string;
        children?: Node[];
      }
      const node: z.ZodType<Node> = z.lazy(() =>
        z.object({ label: z.string(), children: z.array(node).optional() }),
      );
      expect(fill(z.object({ tree: node }), "a tree for Ada").tree).toMatchObject({ label: "Ada" });
    });
  });
});
