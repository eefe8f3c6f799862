import type { Block, BlockKind, DocTree, Inline, InlineKind, InlineNode } from './doc-tree.ts';

/**
 * Formats a document tree as GitHub-flavoured Markdown: pipe tables, ```mermaid blocks (GitHub
 * renders them), `> [!WARNING]` alerts. All user text is escaped so it cannot start a list, a
 * heading, emphasis or a link, or split a table cell.
 *
 * @example
 * renderMarkdown({ title: 'Linkly', blocks: [paragraph('a | b')] }) // "# Linkly\n\na \\| b\n"
 */
export function renderMarkdown(doc: DocTree): string {
  const blocks = [`# ${escapeText(doc.title)}`, ...doc.blocks.map((b) => renderBlock(b))];
  return blocks.join('\n\n') + '\n';
}

type Ctx = { inTable: boolean };
type InlineRenderer<K extends InlineKind> = (node: Extract<InlineNode, { kind: K }>, ctx: Ctx) => string;

const INLINE: { [K in InlineKind]: InlineRenderer<K> } = {
  text: (n) => escapeText(n.text),
  code: (n, ctx) => codeSpan(n.text, ctx.inTable),
  strong: (n) => wrapTrimmed(n.text, '**'),
  em: (n) => wrapTrimmed(n.text, '*'),
  link: (n) => `[${escapeText(n.text)}](${n.href.replace(/[\s()<>]/g, (c) => encodeURIComponent(c))})`,
};

function renderInline(content: Inline[], ctx: Ctx): string {
  return content
    .map((i) => {
      const node: InlineNode = typeof i === 'string' ? { kind: 'text', text: i } : i;
      return (INLINE[node.kind] as InlineRenderer<InlineKind>)(node, ctx);
    })
    .join('');
}

type BlockRenderer<K extends BlockKind> = (block: Extract<Block, { kind: K }>) => string;

const BLOCK: { [K in BlockKind]: BlockRenderer<K> } = {
  heading: (b) => `${'#'.repeat(b.level)} ${escapeText(b.text)}`,
  paragraph: (b) => escapeLineStart(renderInline(b.content, { inTable: false })),
  list: (b) => b.items.map((item, i) => `${b.ordered ? `${i + 1}.` : '-'} ${escapeLineStart(renderInline(item, { inTable: false }))}`).join('\n'),
  table: (b) => {
    const row = (cells: string[]) => `| ${cells.map((c) => c || ' ').join(' | ')} |`;
    const rule = b.columns.map((c) => (c.align === 'right' ? '---:' : c.align === 'center' ? ':---:' : '---'));
    return [
      row(b.columns.map((c) => escapeText(c.title))),
      row(rule),
      ...b.rows.map((cells) => row(b.columns.map((_, i) => renderInline(cells[i] ?? [], { inTable: true })))),
    ].join('\n');
  },
  code: (b) => fenced(b.language, b.text),
  diagram: (b) => fenced(b.language, b.text),
  note: (b) => `> [!${b.tone.toUpperCase()}]\n> ${renderInline(b.content, { inTable: false })}`,
};

function renderBlock(block: Block): string {
  return (BLOCK[block.kind] as BlockRenderer<BlockKind>)(block);
}

/**
 * Escapes plain text for Markdown: backslash before the characters that start emphasis, code,
 * links, HTML or strike-through (`_` only at a word edge), and before `|` (which would split a
 * table cell); `>` and `#` only matter at the start of a block (see escapeLineStart); a `&` that
 * would start an entity is written `&amp;`; line breaks become spaces (a cell is one line).
 */
export function escapeText(text: string): string {
  return oneLine(text)
    .replace(/[\\`*[\]<~|]/g, (c) => `\\${c}`)
    // Underscores inside a word (snake_case) never start emphasis; only those at a word edge can.
    .replace(/(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu, '\\_')
    .replace(/&(?=#?[A-Za-z0-9]+;)/g, '&amp;');
}

/** Escapes what would make a line a heading, list item, quote or rule when it starts a block. */
export function escapeLineStart(line: string): string {
  return line.replace(/^(\s*)([#>+=-]|\d+(?=[.)]))/, (_, space: string, mark: string) => `${space}${/^\d/.test(mark) ? mark + '\\' : '\\' + mark}`);
}

/** A code span that survives backticks in the text and, in a table, `|`. */
export function codeSpan(text: string, inTable: boolean): string {
  let body = oneLine(text);
  if (inTable) body = body.replace(/\|/g, '\\|');
  const longest = Math.max(0, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = /^`|`$/.test(body) || (/^ /.test(body) && / $/.test(body)) ? ' ' : '';
  return `${fence}${pad}${body}${pad}${fence}`;
}

function wrapTrimmed(text: string, marker: string): string {
  const t = text.trim();
  return t ? `${marker}${escapeText(t)}${marker}` : '';
}

function fenced(language: string, text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${language}\n${text.replace(/\n+$/, '')}\n${fence}`;
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ');
}
