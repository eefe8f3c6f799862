import { describe, expect, it } from 'vitest';
import { code, diagram, heading, link, note, paragraph, strong, table } from './doc-tree.ts';
import { escapeHtml, renderHtml } from './html.ts';

describe('renderHtml', () => {
  it('escapes user text in content and attributes', async () => {
    const html = await renderHtml({ title: '<T & "q">', blocks: [paragraph('<img src=x onerror=alert(1)>', strong("'s"), code('a<b'))] });
    expect(html).toContain('<title>&#60;T &#38; &#34;q&#34;&#62;</title>');
    expect(html).toContain('<p>&#60;img src=x onerror=alert(1)&#62;<strong>&#39;s</strong><code>a&#60;b</code></p>');
    expect(html).not.toContain('<img');
  });

  it('escapes all five HTML-special characters', () => {
    expect(escapeHtml(`&<>"'`)).toBe('&#38;&#60;&#62;&#34;&#39;');
  });

  it('keeps only in-page and web links clickable', async () => {
    const html = await renderHtml({ title: 't', blocks: [paragraph(link('a', '#x'), link('b', 'javascript:alert(1)'), link('c', 'https://e.org/?a=1&b=2'))] });
    expect(html).toContain('<a href="#x">a</a>');
    expect(html).not.toContain('javascript:');
    expect(html).toContain('<a href="https://e.org/?a=1&#38;b=2">c</a>');
  });

  it('gives headings their ids and right-aligns numeric columns', async () => {
    const html = await renderHtml({ title: 't', blocks: [heading(2, 'Data Model'), table(['Name', 'Count>'], [[['a'], ['1']]])] });
    expect(html).toContain('<h2 id="data-model">Data Model</h2>');
    expect(html).toContain('<th class="num">Count</th>');
    expect(html).toContain('<td class="num">1</td>');
  });

  it('puts each diagram in a pre.mermaid, HTML-escaped, so its source shows without JavaScript', async () => {
    const html = await renderHtml({ title: 't', blocks: [diagram('Flow <1>', 'flowchart LR\n  a["x<br/>y"] --> b\n')] });
    expect(html).toContain('<pre class="mermaid" aria-label="Flow &#60;1&#62;">\nflowchart LR\n  a[&#34;x&#60;br/&#62;y&#34;] --&#62; b\n</pre>');
    expect(html).toContain('<figcaption>Flow &#60;1&#62;</figcaption>');
  });

  it('embeds Mermaid gzipped and runs it strictly, without any network reference', async () => {
    const html = await renderHtml({ title: 't', blocks: [diagram('d', 'flowchart LR\n  a --> b\n')] });
    expect(html).toMatch(/<script type="text\/plain" id="mermaid-gzip-base64">H4sI[A-Za-z0-9+/=]{100000,}<\/script>/);
    expect(html).toContain("securityLevel: 'strict'");
    expect(html).toContain("new DecompressionStream('gzip')");
    expect(html).not.toMatch(/<(script|link)[^>]+(src|href)=["']?https?:/);
  });

  it('leaves the bundle out when there is no diagram', async () => {
    const html = await renderHtml({ title: 't', blocks: [note('note', 'n')] });
    expect(html).not.toContain('mermaid-gzip-base64');
    expect(html).toContain('<div class="note note"><p><span class="label">Note:</span> n</p></div>');
  });

  it('carries print rules: a page break before each h2 and table rows kept whole', async () => {
    const html = await renderHtml({ title: 't', blocks: [] });
    expect(html).toMatch(/@media print \{[\s\S]*h2 \{ break-before: page; \}[\s\S]*tr, figure\.diagram/);
  });
});
