import { useMemo, useState } from "react";
import { buildTree, type TreeNode } from "../fileTree.ts";
import { formatBytes } from "../format.ts";
import type { FileEntry } from "../wire.ts";
import { Icon } from "./Icon.tsx";

type Props = { files: FileEntry[]; selected: string | null; onSelect(path: string): void };

function Node({ node, depth, open, toggle, selected, onSelect }: { node: TreeNode; depth: number; open: ReadonlySet<string>; toggle(path: string): void } & Omit<Props, "files">) {
  const isOpen = open.has(node.path);
  const indent = { paddingLeft: `${8 + depth * 14}px` };
  if (node.type === "dir") {
    return (
      <li>
        <button type="button" className="tree-row tree-dir" style={indent} onClick={() => toggle(node.path)} data-testid="file-entry" data-path={node.path} data-type="dir" aria-expanded={isOpen}>
          <span className={`tree-chevron ${isOpen ? "open" : ""}`}>
            <Icon name="chevron" size={12} />
          </span>
          <Icon name="folder" size={14} />
          <span className="tree-name">{node.name}</span>
        </button>
        {isOpen && node.children.length > 0 && (
          <ul>
            {node.children.map((child) => (
              <Node key={child.path} node={child} depth={depth + 1} open={open} toggle={toggle} selected={selected} onSelect={onSelect} />
            ))}
          </ul>
        )}
      </li>
    );
  }
  return (
    <li>
      <button type="button" className={`tree-row tree-file ${selected === node.path ? "selected" : ""}`} style={indent} onClick={() => onSelect(node.path)} data-testid="file-entry" data-path={node.path} data-type="file">
        <span className="tree-chevron" />
        <Icon name="file" size={14} />
        <span className="tree-name">{node.name}</span>
        <span className="tree-size">{formatBytes(node.size)}</span>
      </button>
    </li>
  );
}

/** The workspace as a tree; folders open on click, files open in the viewer. */
export function FileTree({ files, selected, onSelect }: Props) {
  const tree = useMemo(() => buildTree(files), [files]);
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const toggle = (path: string) =>
    setOpen((current) => {
      const next = new Set(current);
      if (!next.delete(path)) next.add(path);
      return next;
    });
  if (tree.length === 0) return <div className="muted tree-empty" data-testid="file-tree">The workspace is empty.</div>;
  return (
    <ul className="tree" data-testid="file-tree">
      {tree.map((node) => (
        <Node key={node.path} node={node} depth={0} open={open} toggle={toggle} selected={selected} onSelect={onSelect} />
      ))}
    </ul>
  );
}
