import type { Block, BlockKind, DocTree, Inline, InlineKind, InlineNode } from './doc-tree.ts';
import { HTML_STYLE } from './html-style.ts';
import { mermaidBundleGzipBase64 } from './mermaid-bundle.ts';

/**
 * Formats a document tree as ONE self-contained HTML page: embedded CSS (with print rules) and
 * Mermaid's browser bundle embedded gzipped, inflated and run in the page, so diagrams render
 * offline. Without JavaScript each diagram shows its Mermaid source. All user text is HTML-escaped.
 *
 * @example
 * await writeFile('design.html', await renderHtml(tree));
 */
export async function renderHtml(doc: DocTree): Promise<string> {
  const body = doc.blocks.map(renderBlock).join('\n');
  const hasDiagrams = doc.blocks.some((b) => b.kind === 'diagram');
  const scripts = hasDiagrams ? `\n<script type="text/plain" id="mermaid-gzip-base64">${await mermaidBundleGzipBase64()}</script>\n<script type="module">${LOADER}</script>` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(doc.title)}</title>
<style>${HTML_STYLE}</style>
</head>
<body>
<main>
<h1>${escapeHtml(doc.title)}</h1>
${body}
</main>${scripts}
</body>
</html>
`;
}

/** Inflates the embedded bundle, defines `mermaid` globally, renders every `pre.mermaid`. */
const LOADER = `
try {
  const packed = document.getElementById('mermaid-gzip-base64').textContent;
  const bytes = Uint8Array.from(atob(packed), (c) => c.charCodeAt(0));
  const source = await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'))).text();
  const script = document.createElement('script');
  script.textContent = source;
  document.head.append(script);
  // Natural size on screen (wide diagrams scroll sideways); print scales them to the page (CSS).
  const natural = { useMaxWidth: false };
  mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme: 'neutral', flowchart: natural, sequence: natural, er: natural });
  await mermaid.run({ querySelector: 'pre.mermaid' });
  // Shrink a wide diagram to the column, but never below 60% of its natural size (then it scrolls).
  for (const svg of document.querySelectorAll('figure.diagram svg')) {
    const natural = svg.viewBox.baseVal.width;
    const room = svg.closest('figure').clientWidth - 34;
    if (natural > room) svg.style.width = Math.max(room, natural * 0.6) + 'px';
  }
} catch (error) {
  console.error('archspec: diagrams could not be rendered; their Mermaid source is shown instead.', error);
} finally {
  document.documentElement.dataset.diagrams = 'done';
}
`;

type InlineRenderer<K extends InlineKind> = (node: Extract<InlineNode, { kind: K }>) => string;

const INLINE: { [K in InlineKind]: InlineRenderer<K> } = {
  text: (n) => escapeHtml(n.text),
  code: (n) => `<code>${escapeHtml(n.text)}</code>`,
  strong: (n) => `<strong>${escapeHtml(n.text)}</strong>`,
  em: (n) => `<em>${escapeHtml(n.text)}</em>`,
  // Only in-page and web links: never a javascript: or data: URL.
  link: (n) => (/^(#|https?:\/\/)/.test(n.href) ? `<a href="${escapeHtml(n.href)}">${escapeHtml(n.text)}</a>` : escapeHtml(n.text)),
};

function renderInline(content: Inline[]): string {
  return content
    .map((i) => {
      const node: InlineNode = typeof i === 'string' ? { kind: 'text', text: i } : i;
      return (INLINE[node.kind] as InlineRenderer<InlineKind>)(node);
    })
    .join('');
}

type BlockRenderer<K extends BlockKind> = (block: Extract<Block, { kind: K }>) => string;

const NOTE_LABEL = { note: 'Note', warning: 'Warning', caution: 'Caution' } as const;

const BLOCK: { [K in BlockKind]: BlockRenderer<K> } = {
  heading: (b) => `<h${b.level} id="${escapeHtml(b.id)}">${escapeHtml(b.text)}</h${b.level}>`,
  paragraph: (b) => `<p>${renderInline(b.content)}</p>`,
  list: (b) => {
    const tag = b.ordered ? 'ol' : 'ul';
    return `<${tag}>\n${b.items.map((item) => `<li>${renderInline(item)}</li>`).join('\n')}\n</${tag}>`;
  },
  table: (b) => {
    const cls = (i: number) => (b.columns[i]?.align === 'right' ? ' class="num"' : '');
    const head = b.columns.map((c, i) => `<th${cls(i)}>${escapeHtml(c.title)}</th>`).join('');
    const rows = b.rows.map((cells) => `<tr>${b.columns.map((_, i) => `<td${cls(i)}>${renderInline(cells[i] ?? [])}</td>`).join('')}</tr>`);
    return `<div class="table-wrap"><table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table></div>`;
  },
  code: (b) => `<pre><code class="language-${escapeHtml(b.language)}">${escapeHtml(b.text)}</code></pre>`,
  diagram: (b) =>
    `<figure class="diagram">\n<pre class="mermaid" aria-label="${escapeHtml(b.title)}">\n${escapeHtml(b.text.replace(/\n+$/, ''))}\n</pre>\n<figcaption>${escapeHtml(b.title)}</figcaption>\n</figure>`,
  note: (b) => `<div class="note ${b.tone}"><p><span class="label">${NOTE_LABEL[b.tone]}:</span> ${renderInline(b.content)}</p></div>`,
};

function renderBlock(block: Block): string {
  return (BLOCK[block.kind] as BlockRenderer<BlockKind>)(block);
}

/** Escapes text for HTML element content and double- or single-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
