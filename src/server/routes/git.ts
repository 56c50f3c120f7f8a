import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { AppDeps, AppEnv } from "../app.ts";
import { errorResponses } from "../http/errors.ts";
import { GitRepo } from "../http/git.ts";
import { gitChanges, gitChangesSchema } from "../http/git-changes.ts";
import { conversationParams, json } from "../http/schemas.ts";
import { requireConversation } from "../http/workspace.ts";

const route = createRoute({
  method: "get",
  path: "/api/conversations/{id}/git/changes",
  tags: ["Files"],
  summary: "Git status of the workspace with a unified diff per changed file",
  description: "404 not_found when the workspace is not (the top of) a git repository. Repositories whose config defines clean/smudge filters are refused (400): git runs on the host here.",
  request: { params: conversationParams },
  responses: { 200: json(gitChangesSchema, "The changes"), ...errorResponses(400, 401, 404, 429) },
});

export function gitRoutes(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  app.openapi(route, async (c) => {
    const record = requireConversation(deps.store, c.req.valid("param").id);
    const repo = await GitRepo.open(record.workspace);
    return c.json(await gitChanges(repo), 200);
  });
  return app;
}
