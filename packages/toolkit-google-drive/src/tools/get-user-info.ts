import { defineTool, z } from "@agentllm/sdk";
import { DriveHttpError, driveJson } from "../drive-client.ts";
import { asDriveUser, type DriveSettings, explainDriveError } from "../drive-session.ts";

export function getUserInfoTool(settings: DriveSettings) {
  return defineTool({
    description:
      "Tells which Google account the user connected to Google Drive: their name and email.",
    status: "Checking your Google account…",
    parameters: z.object({}),
    async execute(_args, ctx) {
      try {
        return await asDriveUser(ctx, settings, async (request) => {
          const about = (await driveJson(
            "about",
            { fields: "user(displayName,emailAddress)" },
            request,
          )) as { user?: { displayName?: unknown; emailAddress?: unknown } };
          const name = about.user?.displayName;
          const email = about.user?.emailAddress;
          return {
            name: typeof name === "string" ? name : "",
            email: typeof email === "string" ? email : "",
          };
        });
      } catch (error) {
        if (!(error instanceof DriveHttpError)) throw error;
        throw new Error(explainDriveError(error, "the user's account"));
      }
    },
  });
}
