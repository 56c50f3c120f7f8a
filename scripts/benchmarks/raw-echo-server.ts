/** Baseline: a bare Bun.serve WebSocket echo that also publishes to a topic, and nothing else. */
const server = Bun.serve<{ topic: string }>({
  port: 0,
  hostname: "127.0.0.1",
  fetch(req, srv) {
    const topic = new URL(req.url).searchParams.get("topic") ?? "t";
    if (srv.upgrade(req, { data: { topic } })) return undefined;
    return new Response("ok");
  },
  websocket: {
    open(ws) {
      ws.subscribe(ws.data.topic);
    },
    message(ws, message) {
      const text = String(message);
      // "publish:N:payload" fans a payload (which may hold colons) out N times to the topic; anything else is echoed.
      if (text.startsWith("publish:")) {
        const second = text.indexOf(":", 8);
        const count = Number(text.slice(8, second));
        const payload = text.slice(second + 1);
        for (let i = 0; i < count; i++) server.publish(ws.data.topic, payload);
        return;
      }
      ws.send(text);
    },
  },
});
console.log(`PORT ${server.port}`);
