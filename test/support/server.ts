import { join } from "node:path";
import { loadConfig, type Config } from "../../src/config.ts";
import { startServer, type ServerHandle } from "../../src/server/server.ts";
import { tempDir } from "./temp.ts";

export type TestServer = {
  url: string;
  wsUrl: string;
  port: number;
  config: Config;
  handle: ServerHandle;
  /** Stops the server and starts it again on the same state (and port). */
  restart(): Promise<void>;
  stop(): Promise<void>;
};

/**
 * The real app on an ephemeral port with a temporary STATE_DIR and WORKSPACE_BASE (local sandbox, quiet logs).
 * `env` overrides any setting.
 */
export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const dir = tempDir();
  const config = loadConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    STATE_DIR: join(dir.path, "state"),
    WORKSPACE_BASE: join(dir.path, "workspace"),
    RUNTIME: "local",
    LOG_LEVEL: "silent",
    POOL_SIZE: "0",
    ...env,
  });
  let handle = await startServer(config);
  const self: TestServer = {
    url: handle.url,
    wsUrl: handle.url.replace(/^http/, "ws"),
    port: handle.port,
    config,
    handle,
    async restart() {
      await handle.stop();
      handle = await startServer({ ...config, PORT: self.port });
      self.handle = handle;
    },
    async stop() {
      await handle.stop();
      dir.cleanup();
    },
  };
  return self;
}

export type LoopbackPage = ReturnType<typeof Bun.serve>;

/** A web page on 127.0.0.1 for `browse` to fetch, answered by `fetch`. */
export function serveLoopbackPage(fetch: (request: Request) => Response): LoopbackPage {
  return Bun.serve({ port: 0, hostname: "127.0.0.1", fetch });
}
