import { describe, expect, it } from "vitest";
import { pickTool } from "./pick-tool.ts";

const tools = [
  { name: "set_favorite_color" },
  { name: "get_favorite_color" },
  { name: "generate_color_palette" },
  { name: "design_color_scheme_for_purpose" },
];

describe("pickTool", () => {
  it("ignores joining words in tool names: a greeting calls no tool", () => {
    expect(pickTool("Hello! What can you do for me?", tools)).toBeUndefined();
  });

  it("picks the tool whose topic the user mentions", () => {
    expect(pickTool("Make me a complementary palette", tools)?.name).toBe("generate_color_palette");
    expect(pickTool("Design a scheme for a meditation app", tools)?.name).toBe(
      "design_color_scheme_for_purpose",
    );
  });

  it("breaks ties by intent: a statement sets, a question gets", () => {
    expect(pickTool("My favorite color is blue", tools)?.name).toBe("set_favorite_color");
    expect(pickTool("What is my favorite color?", tools)?.name).toBe("get_favorite_color");
  });

  it("takes a name that is only a verb as its own topic", () => {
    const verbs = [{ name: "search" }, { name: "get_forecast" }];
    expect(pickTool("Search for llamas", verbs)?.name).toBe("search");
    expect(pickTool("What is the forecast for Oslo?", verbs)?.name).toBe("get_forecast");
    expect(pickTool("hello", verbs)).toBeUndefined();
  });
});
