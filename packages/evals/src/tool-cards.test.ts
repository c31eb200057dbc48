import { describe, expect, it } from "vitest";
import { splitAnswer } from "./tool-cards.ts";

const card = (name: string, args: unknown, extra = "") =>
  `\n<details type="tool_calls" done="true" id="c1" name="${name}" arguments="${JSON.stringify(args).replaceAll("&", "&amp;").replaceAll('"', "&quot;")}" result="&quot;ok&quot;" files="" embeds=""${extra}>\n<summary>Tool Executed</summary>\n</details>\n`;

describe("splitAnswer", () => {
  it("takes the tool cards out of the text, with their names and arguments", () => {
    const content = `${card("get_issue", { issue_key: "DEMO-1", q: 'a "b" & c' })}${card("get_issues_stats", { jql: "x" }, ' error="true"')}DEMO-1 is in progress.`;
    const { text, toolCalls } = splitAnswer(content);
    expect(text).toBe("DEMO-1 is in progress.");
    expect(toolCalls).toEqual([
      { name: "get_issue", args: { issue_key: "DEMO-1", q: 'a "b" & c' }, isError: false },
      { name: "get_issues_stats", args: { jql: "x" }, isError: true },
    ]);
  });

  it("keeps a tool result out of the text, so a fact only in a result is not in the answer", () => {
    const { text } = splitAnswer(`${card("get_issue", {})}`.replace("&quot;ok&quot;", "DEMO-99"));
    expect(text).toBe("");
  });

  it("leaves reasoning blocks out of the text and out of the tool calls", () => {
    const content = `<details type="reasoning" done="true" duration="2">\n<summary>Thought</summary>\n> DEMO-7 maybe\n</details>\n${card("get_issue", {})}Answer.`;
    expect(splitAnswer(content)).toEqual({
      text: "Answer.",
      toolCalls: [{ name: "get_issue", args: {}, isError: false }],
    });
  });

  it("leaves an unclosed card as text and reads arguments that do not parse as none", () => {
    expect(splitAnswer('Hi <details type="tool_calls" name="x">').toolCalls).toEqual([]);
    const broken = '<details type="tool_calls" name="x" arguments="{nope">\n</details>ok';
    expect(splitAnswer(broken)).toEqual({
      text: "ok",
      toolCalls: [{ name: "x", args: {}, isError: false }],
    });
  });
});
