/**
 * The span waterfall: the invocation span and its children as a tree, each with a bar placed on
 * the invocation's timeline and its duration — what Jaeger's trace view shows, in a terminal.
 */
import type { SpanRecord } from '../collect.ts';
import { formatDuration } from './format.ts';
import { padEnd, truncate, type Style } from './style.ts';

const KIND_NAMES = ['internal', 'server', 'client', 'producer', 'consumer'] as const;
const STATUS_ERROR = 2;

interface Node {
  readonly span: SpanRecord;
  readonly children: Node[];
}

/** Render `spans` (one invocation's tree) in at most `width` columns. */
export function renderWaterfall(spans: readonly SpanRecord[], style: Style, width: number, indent = '    ', verbose = false): string[] {
  const roots = buildForest(spans);
  if (roots.length === 0) return [];
  const start = Math.min(...spans.map((s) => s.start_us));
  const end = Math.max(...spans.map((s) => s.start_us + s.duration_us));
  const total = Math.max(1, end - start);

  const rows: Array<{ label: string; plainLength: number; node: Node }> = [];
  const visit = (node: Node, prefix: string, branch: string) => {
    const kind = KIND_NAMES[node.span.kind] ?? 'internal';
    const kindTag = kind === 'internal' ? '' : ` ${kind}`;
    const plain = `${branch}${node.span.name}${kindTag}`;
    rows.push({ label: `${style.gray(branch)}${node.span.name}${style.dim(kindTag)}`, plainLength: plain.length, node });
    node.children.forEach((child, i) => {
      const last = i === node.children.length - 1;
      visit(child, prefix + (last ? '   ' : '│  '), prefix + (last ? '└─ ' : '├─ '));
    });
  };
  for (const root of roots) visit(root, '', '');

  const durationWidth = 9;
  const nameWidth = Math.min(Math.max(...rows.map((r) => r.plainLength)), Math.max(16, Math.floor(width * 0.4)));
  const barWidth = Math.max(10, Math.min(36, width - indent.length - nameWidth - durationWidth - 4));

  const lines: string[] = [];
  for (const { label, plainLength, node } of rows) {
    const span = node.span;
    const failed = span.status?.code === STATUS_ERROR;
    const shownLabel = plainLength > nameWidth ? truncatePlain(label, nameWidth) : label;
    const from = Math.min(barWidth - 1, Math.floor(((span.start_us - start) / total) * barWidth));
    const length = Math.max(1, Math.min(barWidth - from, Math.round((span.duration_us / total) * barWidth)));
    const colour = failed ? style.red : node === rows[0]?.node ? style.green : style.cyan;
    const track = (n: number) => (style.enabled ? style.dim('·'.repeat(n)) : ' '.repeat(n));
    const bar = `${track(from)}${colour('█'.repeat(length))}${track(barWidth - from - length)}`;
    const duration = formatDuration(span.duration_us / 1000).padStart(durationWidth);
    const room = width - indent.length - nameWidth - barWidth - durationWidth - 5;
    const mark = failed ? `  ${style.red(verbose ? `✗ ${span.status?.message || 'error'}` : truncate(`✗ ${span.status?.message || 'error'}`, Math.max(8, room)))}` : '';
    lines.push(`${indent}${padEnd(shownLabel, nameWidth)}  ${bar} ${duration}${mark}`);
    for (const exception of verbose ? exceptionsOf(span) : []) {
      lines.push(`${indent}${' '.repeat(nameWidth)}  ${style.red(truncate(`↳ exception ${exception}`, Math.max(20, width - indent.length - nameWidth - 2)))}`);
    }
  }
  return lines;
}

/** Where the trace comes from, in a few words: a remote parent, links to the messages of a batch. */
export function traceOrigins(spans: readonly SpanRecord[]): string[] {
  const notes: string[] = [];
  for (const { span } of buildForest(spans)) {
    if (span.parent_span_id) notes.push(`parent span ${span.parent_span_id}`);
    const links = span.links?.length ?? 0;
    if (links > 0) notes.push(`linked to ${links} message trace${links === 1 ? '' : 's'}`);
  }
  return notes;
}

function buildForest(spans: readonly SpanRecord[]): Node[] {
  const nodes = new Map(spans.map((span) => [span.span_id, { span, children: [] as Node[] }]));
  const roots: Node[] = [];
  for (const node of nodes.values()) {
    const parent = node.span.parent_span_id ? nodes.get(node.span.parent_span_id) : undefined;
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  const byStart = (a: Node, b: Node) => a.span.start_us - b.span.start_us;
  for (const node of nodes.values()) node.children.sort(byStart);
  return roots.sort(byStart);
}

function exceptionsOf(span: SpanRecord): string[] {
  return (span.events ?? [])
    .filter((e) => e.name === 'exception')
    .map((e) => `${String(e.attributes?.['exception.type'] ?? 'Error')}: ${String(e.attributes?.['exception.message'] ?? '')}`);
}

/** Shorten a label with colour codes: cut it plain (its colour is lost only then). */
function truncatePlain(label: string, width: number): string {
  // eslint-disable-next-line no-control-regex
  return truncate(label.replace(/\x1b\[[0-9;]*m/g, ''), width);
}
