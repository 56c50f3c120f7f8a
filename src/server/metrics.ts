/** In-process counters and histograms, rendered in Prometheus text format by GET /metrics. */

const LATENCY_BUCKETS_S = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120];

class Histogram {
  readonly counts = new Array<number>(LATENCY_BUCKETS_S.length).fill(0);
  sum = 0;
  count = 0;
  observe(seconds: number): void {
    this.sum += seconds;
    this.count++;
    const index = LATENCY_BUCKETS_S.findIndex((bound) => seconds <= bound);
    if (index >= 0) this.counts[index] = (this.counts[index] ?? 0) + 1;
  }
}

/** LLM use since the server started, summed over every conversation. */
export type LlmUsageDelta = { input_tokens: number; output_tokens: number; cache_read_tokens?: number; cost_usd: number };

const START_TIME_S = Date.now() / 1000;

export class Metrics {
  openConnections = 0;
  eventsStored = 0;
  runtimeErrors = 0;
  readonly llm = { input: 0, output: 0, cacheRead: 0, costUsd: 0 };
  readonly actionsByType = new Map<string, number>();
  readonly actionLatency = new Map<string, Histogram>();

  /** One more LLM reply's tokens and cost (what the conversation's running total grew by). */
  addLlmUsage(delta: LlmUsageDelta): void {
    this.llm.input += Math.max(0, delta.input_tokens);
    this.llm.output += Math.max(0, delta.output_tokens);
    this.llm.cacheRead += Math.max(0, delta.cache_read_tokens ?? 0);
    this.llm.costUsd += Math.max(0, delta.cost_usd);
  }

  countAction(action: string): void {
    this.actionsByType.set(action, (this.actionsByType.get(action) ?? 0) + 1);
  }

  observeLatency(action: string, seconds: number): void {
    let histogram = this.actionLatency.get(action);
    if (!histogram) this.actionLatency.set(action, (histogram = new Histogram()));
    histogram.observe(seconds);
  }

  render(gauges: { liveConversations: number; storedEvents: number }): string {
    const lines: string[] = [];
    const metric = (name: string, type: string, help: string, samples: string[]) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...samples);
    };
    metric("bunhands_open_connections", "gauge", "Open WebSocket connections.", [`bunhands_open_connections ${this.openConnections}`]);
    metric("bunhands_live_conversations", "gauge", "Conversations with a live agent session.", [`bunhands_live_conversations ${gauges.liveConversations}`]);
    metric("bunhands_events_stored", "gauge", "Events in the store.", [`bunhands_events_stored ${gauges.storedEvents}`]);
    metric("bunhands_events_appended_total", "counter", "Events stored since start.", [`bunhands_events_appended_total ${this.eventsStored}`]);
    metric("bunhands_runtime_errors_total", "counter", "Sandbox failures.", [`bunhands_runtime_errors_total ${this.runtimeErrors}`]);
    metric(
      "bunhands_actions_total",
      "counter",
      "Actions stored, by type.",
      [...this.actionsByType].map(([action, n]) => `bunhands_actions_total{action="${action}"} ${n}`),
    );
    const histogramLines: string[] = [];
    for (const [action, h] of this.actionLatency) {
      let cumulative = 0;
      LATENCY_BUCKETS_S.forEach((bound, i) => {
        cumulative += h.counts[i] ?? 0;
        histogramLines.push(`bunhands_action_duration_seconds_bucket{action="${action}",le="${bound}"} ${cumulative}`);
      });
      histogramLines.push(`bunhands_action_duration_seconds_bucket{action="${action}",le="+Inf"} ${h.count}`);
      histogramLines.push(`bunhands_action_duration_seconds_sum{action="${action}"} ${h.sum}`);
      histogramLines.push(`bunhands_action_duration_seconds_count{action="${action}"} ${h.count}`);
    }
    metric("bunhands_action_duration_seconds", "histogram", "Time from an action being stored to its observation.", histogramLines);
    metric("bunhands_llm_tokens_total", "counter", "LLM tokens since start, by kind (cache_read: input read from the prompt cache).", [
      `bunhands_llm_tokens_total{kind="input"} ${this.llm.input}`,
      `bunhands_llm_tokens_total{kind="output"} ${this.llm.output}`,
      `bunhands_llm_tokens_total{kind="cache_read"} ${this.llm.cacheRead}`,
    ]);
    metric("bunhands_llm_cost_usd_total", "counter", "LLM cost since start at list prices, in US dollars.", [`bunhands_llm_cost_usd_total ${this.llm.costUsd}`]);
    metric("process_resident_memory_bytes", "gauge", "Resident memory of the server process.", [`process_resident_memory_bytes ${process.memoryUsage.rss()}`]);
    metric("process_start_time_seconds", "gauge", "Start time of the server process since the Unix epoch.", [`process_start_time_seconds ${START_TIME_S}`]);
    return `${lines.join("\n")}\n`;
  }
}
