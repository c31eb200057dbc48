export { z } from "zod";
export type {
  ApiTokenCredential,
  CredentialCheck,
  CredentialCheckContext,
  CredentialDefinition,
  CredentialField,
  CredentialGetOptions,
  CredentialRecognizeContext,
  OAuth2Credential,
  RecognizedCredential,
  ToolCredential,
} from "./credentials.ts";
export { CredentialRequiredError, undeclaredCredential } from "./credentials.ts";
export type {
  AgentDefinition,
  InstructionContext,
  KnowledgeOptions,
  ModelDefaults,
} from "./define-agent.ts";
export { defineAgent } from "./define-agent.ts";
export type {
  SideEffect,
  ToolContext,
  ToolDefinition,
  ToolkitDefinition,
  ToolStatus,
} from "./define-toolkit.ts";
export { defineTool, defineToolkit } from "./define-toolkit.ts";
export type { BoundedBody } from "./http.ts";
export { networkCause, readBoundedBody, retryAfterSeconds } from "./http.ts";
export type { PluginLogger } from "./logger.ts";
export type { UserSettings } from "./user-settings.ts";
