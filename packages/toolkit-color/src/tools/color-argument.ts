import { z } from "@agentllm/sdk";
import { COLOR_NAMES } from "../colors.ts";

/** The optional `color` parameter the palette, theme and scheme tools share. */
export const colorArgument = z
  .string()
  .optional()
  .describe(
    `A color to build from instead of the user's favorite: a hex code like "#3366CC" or one of ` +
      `${COLOR_NAMES.join(", ")}. Leave it out to use the user's saved favorite color.`,
  );
