import { defineTool, z } from "@agentllm/sdk";
import { jiraGet } from "../jira-client.ts";
import { jiraConnection } from "../jira-connection.ts";
import type { JiraToolOptions } from "./get-issue.ts";
import { jiraFailure } from "./jira-failure.ts";

/** Versions listed, the newest (Jira lists oldest first); an old project can have hundreds. */
export const MAX_FIX_VERSIONS = 100;

/** Jira's default project key rule: a letter, then letters, digits or _. */
export const PROJECT_KEY = /^[A-Za-z][A-Za-z0-9_]{0,49}$/;

interface Version {
  name?: unknown;
  released?: unknown;
  archived?: unknown;
  releaseDate?: unknown;
}

export function getFixVersionsTool(options: JiraToolOptions) {
  return defineTool({
    description:
      "Lists a Jira project's versions (fix versions): name, released or not, release date. Use it before searching by fixVersion, or to answer what is released or planned.",
    status: ({ project }) => `Listing the ${project.toUpperCase()} versions…`,
    parameters: z.object({
      project: z
        .string()
        .trim()
        .regex(PROJECT_KEY, "must be a project key such as PROJ")
        .describe("The project key, such as PROJ."),
    }),
    async execute({ project }, ctx) {
      const key = project.toUpperCase();
      const connection = jiraConnection(await ctx.credential.get(), options.defaultBaseUrl());
      try {
        const body = await jiraGet(
          connection,
          `project/${encodeURIComponent(key)}/versions`,
          {},
          {
            signal: ctx.signal,
            ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
            fetch: options.fetch ?? ctx.fetch,
          },
        );
        const all = (Array.isArray(body) ? body : []) as Version[];
        if (all.length === 0) return `Project ${key} has no versions.`;
        const shown = all.slice(-MAX_FIX_VERSIONS);
        const lines = [`Versions of ${key} (${all.length}, oldest first):`];
        if (shown.length < all.length) {
          lines.push(`(${all.length - shown.length} older versions not shown)`);
        }
        for (const version of shown) {
          const date = typeof version.releaseDate === "string" ? version.releaseDate : undefined;
          const state =
            version.released === true
              ? `released${date ? ` ${date}` : ""}`
              : `unreleased${date ? `, due ${date}` : ""}`;
          lines.push(
            `- ${typeof version.name === "string" ? version.name : "?"}: ${state}${version.archived === true ? " (archived)" : ""}`,
          );
        }
        return lines.join("\n");
      } catch (error) {
        return jiraFailure(error, ctx, `project ${key}`);
      }
    },
  });
}
