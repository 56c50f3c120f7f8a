import { memo } from "react";
import type { TimelineItem } from "../eventModel.ts";
import { clockTime } from "../format.ts";
import { ActionCard } from "./ActionCard.tsx";
import { MessageText } from "./MessageText.tsx";
import { StateBadge } from "./StateBadge.tsx";

/** Renders again only when its item changed (useConversation keeps unchanged items' identity). */
export const TimelineEntry = memo(function TimelineEntry({ item }: { item: TimelineItem }) {
  switch (item.kind) {
    case "message":
      return (
        <div className={`message message-${item.role}`} data-testid="timeline-item" data-event-id={item.id} data-kind="message">
          <div className="message-bubble" data-testid="chat-message" data-role={item.role}>
            <MessageText text={item.content} />
          </div>
          <span className="time">{clockTime(item.timestamp)}</span>
        </div>
      );
    case "action":
      return <ActionCard item={item} />;
    case "error":
      return (
        <div className="timeline-error" data-testid="timeline-item" data-event-id={item.id} data-kind="error">
          <strong>Error</strong> {item.content}
        </div>
      );
    case "state":
      return (
        <div className="timeline-note" data-testid="timeline-item" data-event-id={item.id} data-kind="state">
          <StateBadge state={item.state} testId="timeline-state" />
          {item.reason && <span className="timeline-reason">{item.reason}</span>}
        </div>
      );
  }
});
