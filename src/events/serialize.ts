import type { StoredEvent } from "./schema.ts";

/** The one serializer of the wire shape: the stored event is already the PROTOCOL.md shape. */
export function toWireJson(event: StoredEvent): string {
  return JSON.stringify(event);
}

export function fromWireJson(json: string): StoredEvent {
  return JSON.parse(json) as StoredEvent;
}
