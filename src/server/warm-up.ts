/**
 * The server's modules in the order they depend on each other, in stages of a millisecond or two, each in
 * a turn of the event loop of its own. Evaluating them all takes ~30 ms (mostly zod schemas and route
 * definitions); in one go that would hold every request the listener could already answer. The grouping
 * only spreads the work: whatever a stage needs and an earlier one did not load, it loads itself.
 */
const STAGES: ReadonlyArray<ReadonlyArray<() => Promise<unknown>>> = [
  // First: it adds .openapi() to zod's schemas, which the event schemas are given for the API docs.
  [() => import("@hono/zod-openapi")],
  [() => import("../events/schema.ts")],
  [() => import("../events/client-message.ts"), () => import("../events/sqlite-store.ts")],
  [() => import("../security/analyzer.ts"), () => import("../runtime/create.ts")],
  [() => import("../agent/index.ts")],
  [() => import("./conversation-manager.ts"), () => import("./websocket.ts")],
  [() => import("./http/errors.ts"), () => import("./http/schemas.ts")],
  [() => import("./routes/conversations.ts"), () => import("./routes/events.ts")],
  [() => import("./routes/actions.ts"), () => import("./routes/trajectory.ts"), () => import("./routes/files.ts")],
  [() => import("./routes/zip.ts"), () => import("./routes/git.ts"), () => import("./routes/upload.ts")],
  [() => import("./routes/security.ts"), () => import("./routes/openapi.ts")],
  [() => import("./app.ts")],
];

/**
 * Two turns of the event loop before the next stage: a request that arrived during a stage needs one poll of
 * the sockets for its connection to be accepted and one more for its bytes to be read.
 */
const nextTurn = async () => {
  await new Promise<void>((resolve) => setImmediate(resolve));
  await new Promise<void>((resolve) => setImmediate(resolve));
};

/** Loads server.ts and everything it needs, yielding to the event loop between stages. */
export async function loadServerModules(): Promise<typeof import("./server.ts")> {
  for (const stage of STAGES) {
    await Promise.all(stage.map((load) => load()));
    await nextTurn();
  }
  return import("./server.ts");
}
