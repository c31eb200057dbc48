import { GoogleGenAI, Type } from "@google/genai";
import { z } from "zod";

/** A model's verdict on an answer against a case's rubric. */
export interface JudgeVerdict {
  readonly pass: boolean;
  readonly reason: string;
}

export interface JudgeOptions {
  readonly apiKey: string;
  /** A server speaking the Gemini API (the fake in tests); default Google's. */
  readonly baseUrl?: string | undefined;
  readonly model: string;
  readonly signal?: AbortSignal | undefined;
}

const verdictSchema = z.strictObject({ pass: z.boolean(), reason: z.string().min(1).max(1_000) });

/** Past this the answer is cut before judging: a review runs to a few thousand characters. */
export const JUDGE_ANSWER_CHARS = 12_000;

/**
 * Asks Gemini whether `answer` meets `rubric`, as a strict JSON verdict (a response schema,
 * temperature 0). A reply that is not exactly `{pass, reason}` is a failed verdict naming
 * that, never a pass: a judge that cannot be read has not approved anything.
 */
export async function judgeAnswer(
  input: { rubric: string; question: string; answer: string },
  options: JudgeOptions,
): Promise<JudgeVerdict> {
  const ai = new GoogleGenAI({
    apiKey: options.apiKey,
    ...(options.baseUrl ? { httpOptions: { baseUrl: options.baseUrl } } : {}),
  });
  const prompt = [
    "You grade one answer of an AI assistant against a rubric. Judge only what the rubric asks.",
    "Reply with JSON: pass (true only if the answer meets every point of the rubric) and reason (one sentence).",
    `<rubric>\n${input.rubric}\n</rubric>`,
    `<question>\n${input.question}\n</question>`,
    `<answer>\n${input.answer.slice(0, JUDGE_ANSWER_CHARS)}\n</answer>`,
  ].join("\n\n");
  let text: string | undefined;
  try {
    const response = await ai.models.generateContent({
      model: options.model,
      contents: [{ role: "user", parts: [{ text: prompt }] }],
      config: {
        temperature: 0,
        responseMimeType: "application/json",
        responseSchema: {
          type: Type.OBJECT,
          properties: { pass: { type: Type.BOOLEAN }, reason: { type: Type.STRING } },
          required: ["pass", "reason"],
        },
        ...(options.signal ? { abortSignal: options.signal } : {}),
      },
    });
    text = response.text;
  } catch (error) {
    // Whatever the client put in its message, the key stays out of the report.
    const message = (error as Error).message.replaceAll(options.apiKey, "[key]").slice(0, 200);
    return { pass: false, reason: `the judge failed: ${message}` };
  }
  try {
    const parsed = verdictSchema.safeParse(JSON.parse(text ?? ""));
    if (parsed.success) return parsed.data;
  } catch {
    // Falls through to the verdict below.
  }
  return { pass: false, reason: `the judge gave no valid verdict: ${(text ?? "").slice(0, 200)}` };
}
