/**
 * Where things are in the config file: field paths (`peers[1].port`), the YAML node a path
 * names, and its line and column.
 */
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { Problem } from '../errors.js';
import type { SourcePosition } from '../resources/types.js';

export type FieldPath = readonly (string | number)[];

/** The parsed file, kept for positions. */
export interface ConfigDocument {
  file: string;
  doc: Document.Parsed;
  lineCounter: LineCounter;
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `peers[1].port`; `""` for the document itself; odd keys quoted: `peers[0]["a b"]`. */
export function formatPath(path: FieldPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (!PLAIN_KEY.test(segment)) out += `[${JSON.stringify(segment)}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out;
}

/** A JSON pointer (`/peers/1/port`, as ajv reports them) as a path; list indexes become numbers. */
export function pointerToPath(pointer: string, value: unknown): FieldPath {
  if (pointer === '') return [];
  const path: (string | number)[] = [];
  let current = value;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    const segment = Array.isArray(current) ? Number(key) : key;
    path.push(segment);
    current = (current as Record<string | number, unknown> | undefined)?.[segment];
  }
  return path;
}

/** Line and column (1-based) of the node at `path`, or of its nearest ancestor in the file. */
export function positionOf(source: ConfigDocument, path: FieldPath): SourcePosition {
  return startOf(source, nodeAt(source, path));
}

/** Line and column of the key that ends `path` (an unknown key), else of its value. */
export function keyPositionOf(source: ConfigDocument, path: FieldPath): SourcePosition {
  const parent = resolve(source, nodeAt(source, path.slice(0, -1)));
  const key = path[path.length - 1];
  const pair = isMap(parent) ? parent.items.find((p) => isScalar(p.key) && String(p.key.value) === String(key)) : undefined;
  return startOf(source, (pair?.key as Node | undefined) ?? nodeAt(source, path));
}

export function problemAt(
  source: ConfigDocument,
  path: FieldPath,
  message: string,
  options: { severity?: Problem['severity']; at?: 'key' | 'value'; problemPath?: FieldPath } = {},
): Problem {
  const { line, col } = options.at === 'key' ? keyPositionOf(source, path) : positionOf(source, path);
  return {
    file: source.file,
    line,
    col,
    path: formatPath(options.problemPath ?? path),
    message,
    severity: options.severity ?? 'error',
  };
}

/** A problem at a character offset of the file (YAML errors carry offsets). */
export function problemAtOffset(
  source: ConfigDocument,
  offset: number,
  message: string,
  severity: Problem['severity'] = 'error',
): Problem {
  const { line, col } = source.lineCounter.linePos(offset);
  return { file: source.file, line, col, path: '', message, severity };
}

/** The deepest node along `path`, following aliases on the way (an alias at the end is kept). */
function nodeAt(source: ConfigDocument, path: FieldPath): Node | null {
  let node: Node | null = source.doc.contents;
  for (const segment of path) {
    const container = resolve(source, node);
    const next = childOf(container, segment);
    if (!next) break;
    node = next;
  }
  return node;
}

function childOf(node: Node | null, segment: string | number): Node | null {
  if (isSeq(node) && typeof segment === 'number') return (node.items[segment] as Node | undefined) ?? null;
  if (isMap(node)) {
    const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
    return ((pair?.value ?? pair?.key) as Node | null | undefined) ?? null;
  }
  return null;
}

function resolve(source: ConfigDocument, node: Node | null): Node | null {
  return isAlias(node) ? (node.resolve(source.doc) ?? null) : node;
}

function startOf(source: ConfigDocument, node: Node | null): SourcePosition {
  return source.lineCounter.linePos(node?.range?.[0] ?? 0);
}
