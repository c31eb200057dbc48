/** Jira's error body: `{"errorMessages": [...], "errors": {}}`, as both flavours send it. */
export interface JiraErrorBody {
  errorMessages: string[];
  errors: Record<string, string>;
}

export function jiraError(...messages: string[]): JiraErrorBody {
  return { errorMessages: messages, errors: {} };
}

export const ISSUE_NOT_FOUND = "Issue does not exist or you do not have permission to see it.";
export const ISSUE_FORBIDDEN = "You do not have the permission to see the specified issue.";
/** Cloud's 401 is plain text, not JSON. */
export const CLOUD_UNAUTHENTICATED = "Client must be authenticated to access this resource.";
export const SERVER_UNAUTHENTICATED =
  "You are not authenticated. Authentication required to perform this operation.";
