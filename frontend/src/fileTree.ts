import type { FileEntry } from "./wire.ts";

export type TreeNode = { name: string; path: string; type: "file" | "dir"; size?: number; children: TreeNode[] };

/** Turns the flat listing into a tree, adding folders the listing only implies; folders first, then by name. */
export function buildTree(entries: readonly FileEntry[]): TreeNode[] {
  const root: TreeNode = { name: "", path: "", type: "dir", children: [] };
  const dirs = new Map<string, TreeNode>([["", root]]);

  const dirNode = (path: string): TreeNode => {
    const existing = dirs.get(path);
    if (existing) return existing;
    const slash = path.lastIndexOf("/");
    const parent = dirNode(slash < 0 ? "" : path.slice(0, slash));
    const node: TreeNode = { name: path.slice(slash + 1), path, type: "dir", children: [] };
    parent.children.push(node);
    dirs.set(path, node);
    return node;
  };

  for (const entry of entries) {
    const path = entry.path.replace(/^\.?\/+/, "").replace(/\/+$/, "");
    if (!path) continue;
    if (entry.type === "dir") {
      dirNode(path);
      continue;
    }
    const slash = path.lastIndexOf("/");
    dirNode(slash < 0 ? "" : path.slice(0, slash)).children.push({ name: path.slice(slash + 1), path, type: "file", size: entry.size, children: [] });
  }

  const sort = (nodes: TreeNode[]) => {
    nodes.sort((a, b) => (a.type === b.type ? a.name.localeCompare(b.name) : a.type === "dir" ? -1 : 1));
    for (const node of nodes) sort(node.children);
  };
  sort(root.children);
  return root.children;
}
