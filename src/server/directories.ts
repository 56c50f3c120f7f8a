import { accessSync, constants, mkdirSync } from "node:fs";
import type { Config } from "../config.ts";
import { describeFsError, StartError } from "./start-error.ts";

/**
 * Creates STATE_DIR and WORKSPACE_BASE when missing and checks that this process can write in them, so that
 * a folder it cannot use stops the start with one line naming the setting, not a stack trace later.
 */
export function prepareDirectories(config: Pick<Config, "STATE_DIR" | "WORKSPACE_BASE">): void {
  for (const setting of ["STATE_DIR", "WORKSPACE_BASE"] as const) {
    const dir = config[setting];
    try {
      mkdirSync(dir, { recursive: true });
      accessSync(dir, constants.W_OK | constants.X_OK);
    } catch (error) {
      throw new StartError(`${setting} ${dir} cannot be used: ${describeFsError(error)}; set ${setting} to a folder this user can write`);
    }
  }
}
