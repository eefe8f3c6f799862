/**
 * Safe text for Mermaid sources. Labels: every character outside an allow-list (letters, digits,
 * spaces and ``.,'/!?@_()+=$^[]{}|-``) becomes a Mermaid entity code such as `#35;` for `#`, which
 * Mermaid turns back into the character when it draws the diagram, so no user text can close a
 * quote, end a statement (`;`, newline), start a comment (`%%`), inject HTML (`<`, `&`), turn on
 * Markdown (`*`, backtick), or trip Mermaid's `style ...:...#...;` pre-processing (`:`). The list
 * was checked by rendering random labels with Mermaid in Chromium (test/e2e/mermaid-parse.test.ts).
 * Identifiers: letters, digits and `_` only, prefixed so they never collide with a keyword.
 *
 * @example
 * mermaidLabel('say "hi"; #1') // 'say #34;hi#34;#59; #35;1'
 * const ids = idAllocator('c'); ids('payments-api') // 'c_payments_api'
 */

const SAFE = /[\p{L}\p{M}\p{N} .,'/!?@_()+=$^[\]{}|-]/u;

/**
 * Encodes arbitrary text as a Mermaid label: line breaks and tabs become spaces, every other
 * character outside the allow-list becomes `#<code point>;`.
 */
export function mermaidLabel(text: string): string {
  let out = '';
  for (const ch of text.replace(/\s+/g, ' ').trim()) out += SAFE.test(ch) ? ch : `#${ch.codePointAt(0)};`;
  return out;
}

/**
 * Encodes text as a Mermaid label broken into lines of at most `width` characters (words are kept
 * whole) joined with `<br/>`, for sequence-diagram messages, which Mermaid does not wrap.
 */
export function wrappedLabel(text: string, width = 48): string {
  const lines: string[] = [];
  for (const word of text.replace(/\s+/g, ' ').trim().split(' ')) {
    const last = lines.at(-1);
    if (last !== undefined && last.length + 1 + word.length <= width) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines.map(mermaidLabel).join('<br/>');
}

/** A label in double quotes, for flowchart nodes, subgraphs, edge labels and ER comments. */
export function quoted(text: string): string {
  return `"${mermaidLabel(text)}"`;
}

/**
 * Returns a function that maps names to identifiers that are valid in every Mermaid diagram type:
 * `<prefix>_<name>` with anything but letters, digits and `_` replaced by `_`. The same name always
 * gets the same id; two names that would clash get numbered ids (`c_a_b`, `c_a_b_2`). `readable`,
 * when given, is used to spell the id instead of the name (the name stays the key).
 */
export function idAllocator(prefix: string): (name: string, readable?: string) => string {
  const byName = new Map<string, string>();
  const taken = new Set<string>();
  return (name, readable = name) => {
    const known = byName.get(name);
    if (known) return known;
    const base = `${prefix}_${readable.replace(/[^A-Za-z0-9_]/g, '_')}`;
    let id = base;
    for (let n = 2; taken.has(id); n++) id = `${base}_${n}`;
    byName.set(name, id);
    taken.add(id);
    return id;
  };
}

/**
 * A word usable where Mermaid accepts only a bare token (an ER attribute type or name): letters,
 * digits and `_`, starting with a letter or `_`.
 */
export function bareWord(text: string): string {
  const word = text.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z_]/.test(word) ? word : `_${word}`;
}
