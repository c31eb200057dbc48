/**
 * Makes the link a user follows to connect a toolkit: a URL on the runtime's public listener
 * (`AGENTLLM_PUBLIC_URL`) carrying a signed ticket that is short-lived, single-use and bound
 * to that user and toolkit. The run answers with it when a tool needs a credential the user
 * has not given.
 */
export interface ConnectLinks {
  linkFor(userId: string, toolkit: string): Promise<string>;
}
