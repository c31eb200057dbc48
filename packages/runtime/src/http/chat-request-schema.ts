import { z } from "zod";

const textPart = z.object({ type: z.literal("text"), text: z.string() });
const imagePart = z.object({
  type: z.literal("image_url"),
  image_url: z.object({ url: z.string().min(1), detail: z.string().optional() }),
});
// Audio, files and future part types: accepted so a client never gets a 500, answered with a note.
// Not `text`, though: a text part without a string `text` is a mistake worth a 400.
const otherPart = z.looseObject({
  type: z
    .string()
    .min(1)
    .refine((type) => type !== "text", { error: "a text part needs a string text", abort: true }),
});
const part = z.union([textPart, imagePart, otherPart], {
  error:
    'must be a content part: an object with a string type, e.g. {"type": "text", "text": "Hi"}',
});

const content = z.union([z.string(), z.array(part), z.null()], {
  error: "must be a string, an array of content parts, or null",
});

const message = z.looseObject({
  role: z.enum(["system", "developer", "user", "assistant", "tool"], {
    error: "must be one of system, developer, user, assistant, tool",
  }),
  content: content.optional(),
  name: z.string().optional(),
});

/** Limits a request must keep (the body's byte limit is AGENTLLM_MAX_BODY_BYTES). */
export const MAX_MESSAGES = 10_000;
export const MAX_MODEL_CHARS = 200;

const tokens = z.number().int().positive().max(1_000_000);

/**
 * The OpenAI Chat Completions request, as much of it as an agent honours. Unknown fields pass
 * (clients send many); values that cannot be honoured are a 400 naming the field.
 */
export const chatRequestSchema = z.looseObject({
  model: z
    .string()
    .min(1, { error: "must not be empty" })
    .max(MAX_MODEL_CHARS, { error: `must be at most ${MAX_MODEL_CHARS} characters` }),
  messages: z
    .array(message)
    .min(1, { error: "must contain at least one message" })
    .max(MAX_MESSAGES, { error: `must contain at most ${MAX_MESSAGES} messages` }),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().gt(0).max(1).nullish(),
  max_tokens: tokens.nullish(),
  max_completion_tokens: tokens.nullish(),
  stop: z
    .union([z.string(), z.array(z.string()).max(5, { error: "must have at most 5 entries" })], {
      error: "must be a string or an array of at most 5 strings",
    })
    .nullish(),
  n: z.literal(1, { error: "only n=1 is supported" }).nullish(),
  user: z.string().max(256).nullish(),
});

export type ChatRequest = z.infer<typeof chatRequestSchema>;
export type ChatMessage = ChatRequest["messages"][number];
export type ChatContent = ChatMessage["content"];
