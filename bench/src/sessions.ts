import {
  branchOf,
  KyselySessionStore,
  openDatabase,
  PrefixHasher,
  readSession,
  type SessionKey,
} from "@agentllm/runtime";
import { promptTag } from "./fake-model.ts";
import { type RequestResult, streamChat } from "./load.ts";
import { AGENT, BENCH_USER, type BenchPath } from "./paths.ts";

export interface ChatMessage {
  role: "user" | "assistant";
  content: string;
}

/** Short messages so 1000 turns stay far below the runtime's context budget (200k tokens). */
const question = (i: number) => `q${i}`;
const answer = (i: number) => `a${i}`;

/** The history a client shows after `turns` turns of the seeded conversation. */
export function seededHistory(turns: number): ChatMessage[] {
  return Array.from({ length: turns }, (_, i): ChatMessage[] => [
    { role: "user", content: question(i) },
    { role: "assistant", content: answer(i) },
  ]).flat();
}

/**
 * Writes `turns` complete turns (one user message, one model answer each) straight into the
 * runtime's store, as earlier requests would have, and returns the history a client such as
 * Open WebUI would send with the next message.
 */
export async function seedSession(
  dataDir: string,
  sessionId: string,
  turns: number,
): Promise<ChatMessage[]> {
  const database = await openDatabase({ dataDir });
  const store = new KyselySessionStore(database.db);
  const key: SessionKey = { userId: BENCH_USER, agent: AGENT, sessionId };
  try {
    let parentId: string | null = null;
    // Each turn's key hashes the conversation up to its answer, as the runtime computes it.
    const shown = new PrefixHasher();
    for (let i = 0; i < turns; i++) {
      shown.add("user", question(i)).add("model", answer(i));
      const turn = await store.appendTurn(key, {
        parentId,
        prefixKey: shown.key(),
        input: [{ role: "user", parts: [{ text: question(i) }] }],
        steps: [{ role: "model", parts: [{ text: answer(i) }] }],
        answer: answer(i),
        status: "complete",
        usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 },
      });
      parentId = turn.id;
    }
  } finally {
    await database.close();
  }
  return seededHistory(turns);
}

/** The length of the session's current branch (to check the requests continued it). */
export async function branchLength(dataDir: string, sessionId: string): Promise<number> {
  const database = await openDatabase({ dataDir });
  try {
    const session = await readSession(database.db, { userId: BENCH_USER, agent: AGENT, sessionId });
    return branchOf(session).length;
  } finally {
    await database.close();
  }
}

/**
 * `requests` sequential requests continuing a session of `history`: each one sends the full
 * history plus a new user message, then appends the answer it got, as a chat client does.
 */
export async function continueSession(
  path: BenchPath,
  sessionId: string,
  history: ChatMessage[],
  requests: number,
  expectTokens: number,
  onDone: () => void,
): Promise<RequestResult[]> {
  const results: RequestResult[] = [];
  const messages = [...history];
  for (let j = 0; j < requests; j++) {
    const id = `${sessionId}-${j}`;
    const user: ChatMessage = { role: "user", content: `next ${j} ${promptTag(id, "short")}` };
    const body = { model: path.model, stream: true, messages: [...messages, user] };
    const result = await streamChat(path.target(sessionId), body, id, expectTokens);
    results.push(result);
    onDone();
    messages.push(user, { role: "assistant", content: result.text });
  }
  return results;
}
