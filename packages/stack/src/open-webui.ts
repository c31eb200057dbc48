import { existsSync } from "node:fs";
import path from "node:path";
import { type ChildService, httpOk, startChildService } from "./child-service.ts";
import { freePort } from "./free-port.ts";
import { repoRoot } from "./repo-paths.ts";

/** The Open WebUI release the browser tests are written against (shared/open-webui-notes.md). */
export const OPEN_WEBUI_VERSION = "0.12.4";

/** Where `just test-e2e` installs it (uv, reusing uv's cache); AGENTLLM_OPEN_WEBUI overrides. */
export const openWebUiBin =
  process.env.AGENTLLM_OPEN_WEBUI || path.join(repoRoot, "tmp/open-webui-venv/bin/open-webui");

export interface OpenWebUiOptions {
  /** The LiteLLM proxy's OpenAI base URL, e.g. `http://127.0.0.1:9501/v1`. */
  readonly openaiBaseUrl: string;
  readonly apiKey: string;
  /** A fresh folder per run: the first sign-up on an empty one becomes the admin. */
  readonly dataDir: string;
  /** More environment, e.g. FORWARD_USER_INFO_HEADER_JWT_SECRET for the signed-identity mode. */
  readonly env?: Readonly<Record<string, string>>;
  readonly readyTimeoutMs?: number;
}

export interface RunningOpenWebUi {
  readonly url: string;
  readonly service: ChildService;
  close(): Promise<void>;
}

export class OpenWebUiNotInstalledError extends Error {
  override readonly name = "OpenWebUiNotInstalledError";
  constructor() {
    super(
      `Open WebUI is not installed at ${openWebUiBin}; \`npx just test-e2e\` installs it (or set AGENTLLM_OPEN_WEBUI).`,
    );
  }
}

/**
 * Starts a real Open WebUI, headless and offline on loopback, in front of the proxy: no Ollama,
 * no embedding model to download, user info forwarded to the proxy as Open WebUI's headers.
 */
export async function startOpenWebUi(options: OpenWebUiOptions): Promise<RunningOpenWebUi> {
  if (!existsSync(openWebUiBin)) throw new OpenWebUiNotInstalledError();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const service = startChildService({
    name: "open-webui",
    command: openWebUiBin,
    args: ["serve", "--host", "127.0.0.1", "--port", String(port)],
    cwd: options.dataDir,
    env: {
      ...process.env,
      DATA_DIR: options.dataDir,
      OPENAI_API_BASE_URLS: options.openaiBaseUrl,
      OPENAI_API_KEYS: options.apiKey,
      ENABLE_OLLAMA_API: "false",
      OFFLINE_MODE: "true",
      HF_HUB_OFFLINE: "1",
      RAG_EMBEDDING_ENGINE: "openai",
      BYPASS_EMBEDDING_AND_RETRIEVAL: "true",
      ENABLE_VERSION_UPDATE_CHECK: "false",
      ENABLE_PERSISTENT_CONFIG: "false",
      ENABLE_FORWARD_USER_INFO_HEADERS: "true",
      WEBUI_SECRET_KEY: "agentllm-e2e-webui-secret",
      ...options.env,
    },
  });
  try {
    await service.waitUntil(httpOk(`${url}/health`), options.readyTimeoutMs ?? 180_000);
  } catch (error) {
    await service.stop();
    throw error;
  }
  return { url, service, close: () => service.stop() };
}
