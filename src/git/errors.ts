/** A git reading limit was reached; the message says which, in words meant for the model. */
export class GitLimitError extends Error {
  override name = "GitLimitError";
}
