/**
 * The stylesheet embedded in the HTML design document: a readable single column, tables that
 * scroll sideways on screen instead of overflowing, and print rules (each `h2` on a new page,
 * headings kept with what follows, table rows and diagrams never split, table headers repeated).
 */
export const HTML_STYLE = `
:root { --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --soft: #f6f8fa; --accent: #0969da;
  --note: #0969da; --warning: #9a6700; --caution: #d1242f; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; color: var(--fg); background: #fff;
  font: 16px/1.55 -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; }
main { max-width: 72rem; margin: 0 auto; padding: 2rem 2.5rem 4rem; }
h1, h2, h3, h4 { line-height: 1.25; margin: 2rem 0 0.75rem; font-weight: 600; }
h1 { font-size: 2.1rem; margin-top: 0.5rem; padding-bottom: 0.4rem; border-bottom: 1px solid var(--line); }
h2 { font-size: 1.6rem; margin-top: 3rem; padding-bottom: 0.3rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.25rem; }
h4 { font-size: 1.05rem; }
p, ul, ol { margin: 0 0 1rem; }
li + li { margin-top: 0.25rem; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
code { font: 0.86em/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  background: var(--soft); border-radius: 4px; padding: 0.1em 0.35em; overflow-wrap: break-word; }
pre { background: var(--soft); border-radius: 6px; padding: 0.9rem 1rem; overflow-x: auto; }
pre code { background: none; padding: 0; }
.table-wrap { overflow-x: auto; margin: 0 0 1.25rem; }
table { border-collapse: collapse; font-size: 0.9rem; min-width: 50%; }
th, td { border: 1px solid var(--line); padding: 0.35rem 0.65rem; text-align: left; vertical-align: top; }
th { background: var(--soft); font-weight: 600; }
tbody tr:nth-child(even) td { background: #fbfcfd; }
td:first-child code { white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
figure.diagram { margin: 0 0 1.5rem; padding: 1rem; border: 1px solid var(--line); border-radius: 6px; overflow-x: auto; }
figure.diagram pre.mermaid { background: none; margin: 0; padding: 0; text-align: center; }
figure.diagram pre.mermaid:not([data-processed]) { text-align: left; font-size: 0.8rem; white-space: pre; }
figure.diagram svg { max-width: none; height: auto; }
figcaption { color: var(--muted); font-size: 0.85rem; text-align: center; margin-top: 0.5rem; }
.note { border-left: 4px solid var(--note); padding: 0.5rem 1rem; margin: 0 0 1rem; background: #f5f9ff; }
.note p { margin: 0; }
.note .label { font-weight: 600; color: var(--note); }
.note.warning { border-color: var(--warning); background: #fff8e6; }
.note.warning .label { color: var(--warning); }
.note.caution { border-color: var(--caution); background: #fff3f3; }
.note.caution .label { color: var(--caution); }
.generated { color: var(--muted); font-size: 0.85rem; }
@media (max-width: 40rem) { main { padding: 1rem; } }
@media print {
  @page { margin: 16mm 14mm; }
  body { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  h2 { break-before: page; }
  h1, h2, h3, h4 { break-after: avoid; }
  p, li { orphans: 3; widows: 3; }
  .table-wrap { overflow: visible; }
  table { font-size: 8.5pt; }
  thead { display: table-header-group; }
  tr, figure.diagram, .note, pre { break-inside: avoid; }
  figure.diagram { border: none; padding: 0; overflow: visible; }
  figure.diagram svg { max-width: 100% !important; }
  a { color: inherit; }
  tbody tr:nth-child(even) td { background: none; }
}
`;
