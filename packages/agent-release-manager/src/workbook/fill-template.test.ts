import { describe, expect, it } from "vitest";
import {
  fillTemplate,
  MAX_JQL_VALUE_CHARS,
  MAX_MESSAGE_VALUE_CHARS,
  TemplateValueError,
} from "./fill-template.ts";

const config = { project_key: "DEMO", product_name: "Beacon" };

describe("fillTemplate", () => {
  it("fills from the call, then from the config, and names what is left", () => {
    const filled = fillTemplate(
      'project = {project_key} AND fixVersion = "{version}" AND component = "{team}"',
      config,
      { version: "4.4" },
      "jql",
    );
    expect(filled.text).toBe('project = DEMO AND fixVersion = "4.4" AND component = "{team}"');
    expect(filled.missing).toEqual(["team"]);
  });

  it("lets the call override a config value", () => {
    expect(fillTemplate("{project_key}", config, { project_key: "OPS" }, "jql").text).toBe("OPS");
  });

  it("refuses a JQL value that could leave its quotes", () => {
    for (const bad of ['4.4" OR project = SECRET', "4.4\\", "4.4\nOR"]) {
      expect(() =>
        fillTemplate('fixVersion = "{version}"', config, { version: bad }, "jql"),
      ).toThrow(TemplateValueError);
    }
    // A message may quote.
    expect(fillTemplate("{x}", config, { x: 'say "hi"' }, "message").text).toBe('say "hi"');
  });

  it("takes values up to their limit and refuses longer ones", () => {
    const jql = "v".repeat(MAX_JQL_VALUE_CHARS);
    expect(fillTemplate("{v}", config, { v: jql }, "jql").text).toBe(jql);
    expect(() => fillTemplate("{v}", config, { v: `${jql}v` }, "jql")).toThrow(
      `longer than ${MAX_JQL_VALUE_CHARS}`,
    );
    const message = "m".repeat(MAX_MESSAGE_VALUE_CHARS);
    expect(fillTemplate("{v}", config, { v: message }, "message").text).toBe(message);
    expect(() => fillTemplate("{v}", config, { v: `${message}m` }, "message")).toThrow(
      TemplateValueError,
    );
  });

  it("bounds only the call's values: a long config value fills a message or steps", () => {
    const cadence = "c".repeat(MAX_MESSAGE_VALUE_CHARS + 1);
    expect(fillTemplate("{cadence}", { cadence }, {}, "message").text).toBe(cadence);
    expect(fillTemplate("{cadence}", { cadence }, {}, "steps").text).toBe(cadence);
    expect(() => fillTemplate('"{label}"', { label: 'a"b' }, {}, "jql")).toThrow(
      TemplateValueError,
    );
  });

  it("leaves an empty value as missing rather than filling nothing", () => {
    expect(fillTemplate("{version}", config, { version: "  " }, "jql").missing).toEqual([
      "version",
    ]);
  });
});
