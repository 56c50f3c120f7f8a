/** A client frame (WebSocket message, or an action POSTed over HTTP) is capped at this many bytes before parsing. */
export const MAX_FRAME_BYTES = 1024 * 1024;
