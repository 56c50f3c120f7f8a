import { useEffect, useLayoutEffect, useRef } from "react";
import type { TimelineItem } from "../eventModel.ts";
import { TimelineEntry } from "./TimelineEntry.tsx";

/** Pixels from the bottom within which the timeline keeps following new events. */
const FOLLOW_SLACK = 120;

/** `eventCount` and `maxEventId` describe the deduplicated log, for tests and debugging. */
export function Timeline({ items, empty, eventCount, maxEventId }: { items: TimelineItem[]; empty: string; eventCount: number; maxEventId: number }) {
  const scroller = useRef<HTMLDivElement>(null);
  const following = useRef(true);

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

  return (
    <div className="timeline" ref={scroller} data-testid="timeline" data-event-count={eventCount} data-max-event-id={maxEventId}>
      {items.length === 0 ? <div className="timeline-empty">{empty}</div> : items.map((item) => <TimelineEntry key={item.id} item={item} />)}
    </div>
  );
}
