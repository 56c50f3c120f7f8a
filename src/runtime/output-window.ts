import { truncateMiddle } from "./runtime.ts";

/**
 * Collects a command's output while keeping memory bounded: only the first `cap` and the last `cap`
 * characters are kept, so a command printing gigabytes costs O(cap). `take()` returns the text in the
 * same shape as truncateMiddle (head, a marker saying how much was cut, tail).
 */
export class OutputWindow {
  private head = "";
  private tail = "";
  private total = 0;

  constructor(private readonly cap: number) {}

  get length(): number {
    return this.total;
  }

  push(text: string): void {
    if (!text) return;
    this.total += text.length;
    if (this.head.length < this.cap) {
      const room = this.cap - this.head.length;
      this.head += text.slice(0, room);
      text = text.slice(room);
      if (!text) return;
    }
    this.tail += text;
    // Trim lazily (at twice the cap) so trimming stays amortized O(1) per character.
    if (this.tail.length > 2 * this.cap) this.tail = this.tail.slice(-this.cap);
  }

  /** Returns everything collected since the last take, capped, and starts over. */
  take(): string {
    const out = this.render();
    this.head = "";
    this.tail = "";
    this.total = 0;
    return out;
  }

  private render(): string {
    const whole = this.head + this.tail;
    if (whole.length === this.total) return truncateMiddle(whole, this.cap);
    // Something was dropped: head and tail each hold at least `cap` characters. Same layout as truncateMiddle.
    const keep = Math.max(0, this.cap - 100);
    const headText = this.head.slice(0, Math.ceil(keep / 2));
    const tailChars = Math.floor(keep / 2);
    const tailText = tailChars > 0 ? this.tail.slice(-tailChars) : "";
    const cut = this.total - headText.length - tailText.length;
    return `${headText}\n[... ${cut} characters truncated ...]\n${tailText}`;
  }
}
