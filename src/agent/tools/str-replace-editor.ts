import { z } from "zod";
import { editArgsSchema } from "../../events/schema.ts";
import { Tool } from "./tool.ts";

const args = editArgsSchema.shape;

export const StrReplaceEditorTool = Tool.define("str_replace_editor", {
  description: `View, create and edit files of the workspace.
* view: a file with line numbers (view_range [start, end] to limit it, end -1 for the end of the file), or a directory listing.
* create: writes file_text to path (parents are created); it fails when the file exists, so use str_replace to change one.
* str_replace: replaces old_str with new_str. old_str must match EXACTLY ONE place in the file, whitespace included: include enough surrounding lines to make it unique.
* insert: inserts new_str after line insert_line (0 for the top of the file).
* undo_edit: reverts the last edit of path.`,
  parameters: z.object({
    command: args.command.describe("The editor command: view, create, str_replace, insert or undo_edit."),
    path: args.path.describe("The file or directory: absolute inside the workspace, or relative to it."),
    file_text: args.file_text.describe("create: the whole content of the new file."),
    old_str: args.old_str.describe("str_replace: the exact text to replace (must occur exactly once)."),
    new_str: args.new_str.describe("str_replace: the replacement text; insert: the text to insert."),
    insert_line: args.insert_line.describe("insert: the line after which new_str goes (0 = top)."),
    view_range: args.view_range.describe("view: [start_line, end_line], 1-based; end_line -1 means the end of the file."),
  }),
  execute: (input, ctx) => ctx.act("edit", input),
});
