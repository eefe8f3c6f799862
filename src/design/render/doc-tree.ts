/**
 * The design document as a small tree of blocks and inline spans. Sections build it; the Markdown
 * and HTML renderers only format it, so no section is written twice. Text in the tree is plain
 * (unescaped) user text: each renderer escapes it for its own format.
 *
 * @example
 * const blocks: Block[] = [
 *   heading(2, 'API Design'),
 *   paragraph('Served under ', code('/api'), '.'),
 *   table(['Endpoint', 'Auth'], [[[code('GET /links')], ['user']]]),
 * ];
 */

/** A run of text inside a block. A bare string is plain text. */
export type Inline = string | InlineNode;

export type InlineNode =
  | { kind: 'text'; text: string }
  | { kind: 'code'; text: string }
  | { kind: 'strong'; text: string }
  | { kind: 'em'; text: string }
  | { kind: 'link'; text: string; href: string };

export type InlineKind = InlineNode['kind'];

/** A table column: its title and how its cells align (numbers right). */
export interface Column {
  title: string;
  align: 'left' | 'right' | 'center';
}

export type Block =
  | { kind: 'heading'; level: 1 | 2 | 3 | 4; text: string; id: string }
  | { kind: 'paragraph'; content: Inline[] }
  | { kind: 'list'; ordered: boolean; items: Inline[][] }
  | { kind: 'table'; columns: Column[]; rows: Inline[][][] }
  | { kind: 'code'; language: string; text: string }
  | { kind: 'diagram'; language: 'mermaid'; title: string; text: string }
  | { kind: 'note'; tone: 'note' | 'warning' | 'caution'; content: Inline[] };

export type BlockKind = Block['kind'];

/** The whole document: its title (also the level-1 heading) and the blocks that follow it. */
export interface DocTree {
  title: string;
  blocks: Block[];
}

/** Inline code, e.g. an endpoint or a field name. */
export const code = (text: string): InlineNode => ({ kind: 'code', text });
/** Strong emphasis. */
export const strong = (text: string): InlineNode => ({ kind: 'strong', text });
/** Emphasis. */
export const em = (text: string): InlineNode => ({ kind: 'em', text });
/** A link; `href` starting with `#` points at a heading id. */
export const link = (text: string, href: string): InlineNode => ({ kind: 'link', text, href });

/**
 * A heading whose id is its GitHub-style slug (lower case, punctuation dropped, spaces to dashes),
 * so that `#id` links work both on GitHub and in the HTML output. Pass `id` to override.
 */
export function heading(level: 1 | 2 | 3 | 4, text: string, id = slug(text)): Block {
  return { kind: 'heading', level, text, id };
}

/** A paragraph of inline spans. */
export function paragraph(...content: Inline[]): Block {
  return { kind: 'paragraph', content };
}

/** A bulleted (or numbered) list; each item is a list of inline spans. */
export function list(items: Inline[][], ordered = false): Block {
  return { kind: 'list', ordered, items };
}

/**
 * A table. A column title ending in `>` is right-aligned (the marker is dropped), for numbers.
 * Each cell is a list of inline spans.
 */
export function table(titles: string[], rows: Inline[][][]): Block {
  const columns = titles.map((t): Column => (t.endsWith('>') ? { title: t.slice(0, -1), align: 'right' } : { title: t, align: 'left' }));
  return { kind: 'table', columns, rows };
}

/** A Mermaid diagram with a short title (used as its caption and accessible name). */
export function diagram(title: string, text: string): Block {
  return { kind: 'diagram', language: 'mermaid', title, text };
}

/** A highlighted remark: `note` for information, `warning` for a risk, `caution` for a failed check. */
export function note(tone: 'note' | 'warning' | 'caution', ...content: Inline[]): Block {
  return { kind: 'note', tone, content };
}

/**
 * Groups of inline spans joined with a separator, e.g. several code spans with ", "; `last`, when
 * given, joins the last two groups instead ("a, b and c").
 */
export function joined(groups: Inline[][], separator = ', ', last = separator): Inline[] {
  return groups.flatMap((g, i) => (i === 0 ? g : [i === groups.length - 1 ? last : separator, ...g]));
}

/** Each text as a code span, joined with ", ". */
export function codes(texts: readonly string[]): Inline[] {
  return joined(texts.map((t) => [code(t)]));
}

/** The plain text of inline spans, without formatting. */
export function plainText(content: Inline[]): string {
  return content.map((i) => (typeof i === 'string' ? i : i.text)).join('');
}

/**
 * GitHub's heading anchor: lower-cased, characters other than letters, digits, spaces, `-` and `_`
 * removed, spaces replaced by `-`.
 */
export function slug(text: string): string {
  return text.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

/**
 * Makes heading ids unique the way GitHub does (`x`, `x-1`, `x-2`, ...), returning a new list.
 */
export function uniqueHeadingIds(blocks: Block[]): Block[] {
  const seen = new Map<string, number>();
  return blocks.map((b) => {
    if (b.kind !== 'heading') return b;
    const n = seen.get(b.id) ?? 0;
    seen.set(b.id, n + 1);
    return n === 0 ? b : { ...b, id: `${b.id}-${n}` };
  });
}
