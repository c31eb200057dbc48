import { expect, it } from "vitest";
import { matchRoute } from "./routes.ts";

it("matches the SDK's paths for every api version and model form", () => {
  expect(matchRoute("POST", "/v1beta/models/gemini-2.5-flash:streamGenerateContent")).toEqual({
    kind: "generate",
    stream: true,
    apiVersion: "v1beta",
    model: "gemini-2.5-flash",
  });
  expect(matchRoute("POST", "/v1/tunedModels/my-model-7:generateContent")).toMatchObject({
    kind: "generate",
    stream: false,
    model: "my-model-7",
  });
  expect(matchRoute("GET", "/v1beta/models")).toEqual({ kind: "listModels", apiVersion: "v1beta" });
  expect(matchRoute("GET", "/v1beta/models/x:generateContent")).toEqual({ kind: "notFound" });
  expect(matchRoute("POST", "/v2/models/x:generateContent")).toEqual({ kind: "notFound" });
});
