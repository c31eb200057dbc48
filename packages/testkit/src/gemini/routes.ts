/** What a request asks for, from its method and path alone. */
export type Route =
  | { kind: "generate"; stream: boolean; apiVersion: string; model: string }
  | { kind: "listModels"; apiVersion: string }
  | { kind: "getModel"; apiVersion: string; model: string }
  | { kind: "embed"; batch: boolean; apiVersion: string; model: string }
  | { kind: "notFound" };

/** The SDK defaults to v1beta; v1 and v1alpha are real versions too. */
const version = "(v1|v1beta|v1alpha)";
/** `models/{id}` or `tunedModels/{id}`, as the SDK's `tModel` produces. */
const modelName = "(?:models|tunedModels)/([^/:]+)";

const generatePath = new RegExp(
  `^/${version}/${modelName}:(generateContent|streamGenerateContent)$`,
);
const embedPath = new RegExp(`^/${version}/${modelName}:(embedContent|batchEmbedContents)$`);
const modelPath = new RegExp(`^/${version}/${modelName}$`);
const listPath = new RegExp(`^/${version}/models/?$`);

export function matchRoute(httpMethod: string, pathname: string): Route {
  if (httpMethod === "POST") {
    const m = generatePath.exec(pathname);
    if (m?.[1] && m[2]) {
      return {
        kind: "generate",
        stream: m[3] === "streamGenerateContent",
        apiVersion: m[1],
        model: decodeURIComponent(m[2]),
      };
    }
    const embed = embedPath.exec(pathname);
    if (embed?.[1] && embed[2]) {
      return {
        kind: "embed",
        batch: embed[3] === "batchEmbedContents",
        apiVersion: embed[1],
        model: decodeURIComponent(embed[2]),
      };
    }
  }
  if (httpMethod === "GET") {
    const list = listPath.exec(pathname);
    if (list?.[1]) return { kind: "listModels", apiVersion: list[1] };
    const model = modelPath.exec(pathname);
    if (model?.[1] && model[2]) {
      return { kind: "getModel", apiVersion: model[1], model: decodeURIComponent(model[2]) };
    }
  }
  return { kind: "notFound" };
}

/** The models `GET /v1beta/models` lists, in the API's `Model` shape. */
export function modelInfo(id: string): Record<string, unknown> {
  return {
    name: `models/${id}`,
    version: "001",
    displayName: `Fake ${id}`,
    description: "A model served by the AgentLLM testkit's fake Gemini.",
    inputTokenLimit: 1048576,
    outputTokenLimit: 65536,
    supportedGenerationMethods: ["generateContent", "countTokens"],
    temperature: 1,
    topP: 0.95,
    topK: 64,
    maxTemperature: 2,
    thinking: true,
  };
}

export const listedModels = ["gemini-2.5-flash", "gemini-2.5-pro", "gemini-2.5-flash-lite"];
