import OpenAI from "openai";
import { type ChildService, httpOk } from "../src/child-service.ts";
import { freePort } from "../src/free-port.ts";
import { type ProxyOptions, startProxy } from "../src/start-proxy.ts";

/**
 * The real LiteLLM proxy in front of a runtime a test runs in its own process, once it answers,
 * and the official client pointed at it with the master key.
 */
export async function startProxyClient(
  options: Omit<ProxyOptions, "port">,
): Promise<{ proxy: ChildService; client: OpenAI }> {
  const port = await freePort();
  const proxy = startProxy({ ...options, port });
  await proxy.waitUntil(httpOk(`http://127.0.0.1:${port}/health/liveliness`), 90_000);
  const client = new OpenAI({
    baseURL: `http://127.0.0.1:${port}/v1`,
    apiKey: options.masterKey,
    maxRetries: 0,
  });
  return { proxy, client };
}

/** A streamed answer's text: its content deltas joined. */
export async function joinedContent(
  stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>,
): Promise<string> {
  let text = "";
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
  return text;
}
