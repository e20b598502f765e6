/**
 * The one error type that crosses module boundaries. `message` is for logs and may
 * carry internal detail; `userMessage` is the only text that reaches a browser.
 */
export class AppError extends Error {
  readonly code: string;
  readonly userMessage: string;

  constructor(code: string, userMessage: string, internalMessage?: string, options?: { cause?: unknown }) {
    super(internalMessage ?? userMessage, options);
    this.name = "AppError";
    this.code = code;
    this.userMessage = userMessage;
  }
}

/** Raised when the session's user may not perform an action; pages and actions turn it into a refusal. */
export class AccessDeniedError extends AppError {
  constructor(userMessage = "You do not have permission to do this.", internalMessage?: string) {
    super("ACCESS_DENIED", userMessage, internalMessage);
    this.name = "AccessDeniedError";
  }
}
