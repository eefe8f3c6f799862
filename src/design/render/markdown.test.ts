import { describe, expect, it } from 'vitest';
import { code, diagram, heading, link, list, note, paragraph, strong, table } from './doc-tree.ts';
import { codeSpan, escapeLineStart, escapeText, renderMarkdown } from './markdown.ts';

const render = (...blocks: Parameters<typeof renderMarkdown>[0]['blocks']) => renderMarkdown({ title: 'T', blocks });

describe('renderMarkdown', () => {
  it('escapes | in table cells, in plain text and inside code spans, so a cell is never split', () => {
    const md = render(table(['A', 'B>'], [[['a | b'], [code('x|y')]]]));
    expect(md).toContain('| a \\| b | `x\\|y` |');
    expect(md).toContain('| --- | ---: |');
  });

  it('writes an empty cell as a space so the row keeps its columns', () => {
    expect(render(table(['A', 'B'], [[[], ['x']]]))).toContain('|   | x |');
  });

  it('keeps a pipe inside a code span outside tables as is', () => {
    expect(render(paragraph(code('a|b')))).toContain('`a|b`');
  });

  it('escapes characters that would start emphasis, links, HTML or code', () => {
    expect(escapeText('*bold* [x](y) <script> `c` ~s~')).toBe('\\*bold\\* \\[x\\](y) \\<script> \\`c\\` \\~s\\~');
  });

  it('leaves underscores inside words alone but escapes those at a word edge', () => {
    expect(escapeText('env:ARCHSPEC_KEY _x_')).toBe('env:ARCHSPEC_KEY \\_x\\_');
  });

  it('turns line breaks into spaces so user text cannot end a table row or start a block', () => {
    expect(escapeText('a\n# b\r\n- c')).toBe('a # b - c');
  });

  it('neutralises entities so &lt; stays literal', () => {
    expect(escapeText('&lt; & &#35;')).toBe('&amp;lt; & &amp;#35;');
  });

  it('escapes a paragraph or list item that would otherwise be a heading, quote, list or numbered item', () => {
    expect(escapeLineStart('# not a heading')).toBe('\\# not a heading');
    expect(escapeLineStart('> not a quote')).toBe('\\> not a quote');
    expect(escapeLineStart('- not an item')).toBe('\\- not an item');
    expect(escapeLineStart('1. not numbered')).toBe('1\\. not numbered');
    expect(render(list([['2) x']]))).toContain('- 2\\) x');
  });

  it('chooses a code-span fence longer than any backtick run inside', () => {
    expect(codeSpan('a`b', false)).toBe('``a`b``');
    expect(codeSpan('`x`', false)).toBe('`` `x` ``');
  });

  it('renders headings, strong text, links, numbered lists and GitHub alerts', () => {
    const md = render(heading(2, 'API Design'), paragraph(strong('FR1'), ': ', link('go', '#api-design')), list([['a'], ['b']], true), note('warning', 'careful'));
    expect(md).toContain('## API Design\n\n**FR1**: [go](#api-design)\n\n1. a\n2. b\n\n> [!WARNING]\n> careful\n');
  });

  it('fences diagrams as ```mermaid and lengthens the fence if the text holds backticks', () => {
    expect(render(diagram('d', 'flowchart LR\n  a --> b\n'))).toContain('```mermaid\nflowchart LR\n  a --> b\n```');
    expect(render(diagram('d', 'x ``` y'))).toContain('````mermaid\nx ``` y\n````');
  });

  it('starts with the title as a level-1 heading and ends with one newline', () => {
    const md = render(paragraph('x'));
    expect(md.startsWith('# T\n\n')).toBe(true);
    expect(md.endsWith('x\n')).toBe(true);
  });
});
