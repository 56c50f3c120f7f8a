/** A conversation-level refusal, with the protocol error code it is reported under. */
export class ConversationError extends Error {
  constructor(
    readonly code: "not_found" | "busy" | "invalid_args",
    message: string,
  ) {
    super(message);
  }
}
