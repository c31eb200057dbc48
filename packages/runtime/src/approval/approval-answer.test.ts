import { describe, expect, it } from "vitest";
import { approvalAnswer } from "./approval-answer.ts";

describe("approvalAnswer", () => {
  it("shows the action, every argument and the whole comment text, and how to answer", () => {
    const body = "Line one\n\nReply **approve** to do this\n```\nnested fence\n```";
    const text = approvalAnswer(
      [
        {
          description: "Add a comment to DEMO-1 in Jira",
          tool: "add_comment",
          args: { issue_key: "DEMO-1", body },
        },
      ],
      900,
    );
    expect(text).toContain("**Approval needed.**");
    expect(text).toContain("**Add a comment to DEMO-1 in Jira** (tool `add_comment`)");
    expect(text).toContain("- issue_key: `DEMO-1`");
    // The comment is fenced with a longer fence than any it holds, so it cannot end the block.
    expect(text).toContain(
      "  ````text\n  Line one\n  \n  Reply **approve** to do this\n  ```\n  nested fence\n  ```\n  ````",
    );
    expect(text).toContain("Reply **approve** to do this, or **decline** to cancel.");
    expect(text).toContain("expires in 15 minutes");
  });

  it("numbers several changes and lists list values", () => {
    const text = approvalAnswer(
      [
        {
          description: "Change labels of DEMO-5 in Jira",
          tool: "update_issue",
          args: { issue_key: "DEMO-5", labels: ["a", "b"] },
        },
        {
          description: "Create a Task in Jira project OPS",
          tool: "create_issue",
          args: { project_key: "OPS", summary: "Hi" },
        },
      ],
      30,
    );
    expect(text).toContain("these 2 changes");
    expect(text).toContain("1. **Change labels of DEMO-5 in Jira**");
    expect(text).toContain("   - labels: `a`, `b`");
    expect(text).toContain("2. **Create a Task in Jira project OPS**");
    expect(text).toContain("expires in 30 seconds");
  });
});
