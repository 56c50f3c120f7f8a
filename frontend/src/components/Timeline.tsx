import { useEffect, useLayoutEffect, useRef, useState } from "react";
import type { TimelineItem } from "../eventModel.ts";
import { TimelineEntry } from "./TimelineEntry.tsx";

/** Pixels from the bottom within which the timeline keeps following new events. */
const FOLLOW_SLACK = 120;
/** Cards a conversation opens with; a long one shows its earlier cards on request, this many at a time. */
export const TIMELINE_WINDOW = 300;

/**
 * The cards shown: the newest TIMELINE_WINDOW, or, once the user asked for earlier ones, every card from
 * `firstId` on (pinned, so cards being read do not slip away as new events come in).
 */
export function visibleItems(items: readonly TimelineItem[], firstId: number | null): { shown: readonly TimelineItem[]; hidden: number } {
  const start = firstId === null ? Math.max(0, items.length - TIMELINE_WINDOW) : Math.max(0, items.findIndex((item) => item.id >= firstId));
  return { shown: start === 0 ? items : items.slice(start), hidden: start };
}

/** `eventCount` and `maxEventId` describe the deduplicated log, for tests and debugging. */
export function Timeline({ items, empty, eventCount, maxEventId }: { items: TimelineItem[]; empty: string; eventCount: number; maxEventId: number }) {
  const scroller = useRef<HTMLDivElement>(null);
  const following = useRef(true);
  const [firstId, setFirstId] = useState<number | null>(null);
  const { shown, hidden } = visibleItems(items, firstId);

  useEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const onScroll = () => {
      following.current = element.scrollHeight - element.scrollTop - element.clientHeight < FOLLOW_SLACK;
    };
    element.addEventListener("scroll", onScroll, { passive: true });
    return () => element.removeEventListener("scroll", onScroll);
  }, []);

  // Keep the newest event in view unless the user scrolled up to read.
  useLayoutEffect(() => {
    const element = scroller.current;
    if (element && following.current) element.scrollTop = element.scrollHeight;
  }, [items]);

  // Earlier cards go in above what the user is reading: keep that where it was on the screen.
  const fromBottom = useRef<number | null>(null);
  const showEarlier = () => {
    const element = scroller.current;
    fromBottom.current = element ? element.scrollHeight - element.scrollTop : null;
    setFirstId(items[Math.max(0, hidden - TIMELINE_WINDOW)]?.id ?? null);
  };
  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element || fromBottom.current === null) return;
    element.scrollTop = element.scrollHeight - fromBottom.current;
    fromBottom.current = null;
  }, [firstId]);

  return (
    <div className="timeline" ref={scroller} data-testid="timeline" data-event-count={eventCount} data-max-event-id={maxEventId}>
      {hidden > 0 && (
        <button type="button" className="btn timeline-earlier" onClick={showEarlier} data-testid="show-earlier">
          Show {Math.min(hidden, TIMELINE_WINDOW)} earlier of {hidden} hidden
        </button>
      )}
      {items.length === 0 ? <div className="timeline-empty">{empty}</div> : shown.map((item) => <TimelineEntry key={item.id} item={item} />)}
    </div>
  );
}
