import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bareWord, idAllocator, mermaidLabel, quoted, wrappedLabel } from './mermaid-text.ts';

/** What Mermaid shows for a label: entity codes turned back into characters. */
const decode = (label: string) => label.replace(/#(\d+);/g, (_, cp: string) => String.fromCodePoint(Number(cp)));

describe('mermaidLabel', () => {
  it('encodes quotes, brackets that matter, semicolons, colons, # and % as entity codes', () => {
    expect(mermaidLabel('say "hi"; #1 at 10:30 100%')).toBe('say #34;hi#34;#59; #35;1 at 10#58;30 100#37;');
  });

  it('encodes HTML and Markdown starters so a label cannot inject markup', () => {
    expect(mermaidLabel('<b>&amp;</b> *x* `y` ~z~ \\')).toBe('#60;b#62;#38;amp#59;#60;/b#62; #42;x#42; #96;y#96; #126;z#126; #92;');
  });

  it('keeps letters of any script, digits, and readable punctuation as they are', () => {
    expect(mermaidLabel("Zürich 東京 café, (x) [y] {z} a-b/c!? it's 50=5+45 $^|@_")).toBe("Zürich 東京 café, (x) [y] {z} a-b/c!? it's 50=5+45 $^|@_");
  });

  it('encodes astral characters by code point, not by surrogate half', () => {
    expect(mermaidLabel('ok 😀')).toBe('ok #128512;');
    expect(mermaidLabel('→')).toBe('#8594;');
  });

  it('turns line breaks and tabs into single spaces', () => {
    expect(mermaidLabel(' a\n\tb\r\nc ')).toBe('a b c');
  });

  it('never lets a character with a meaning in Mermaid syntax through, for any text', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (text) => {
      const label = mermaidLabel(text);
      expect(label.replace(/#\d+;/g, '')).not.toMatch(/["#;:%<>&`*~\\\n\r\t]/);
    }));
  });

  it('round-trips: Mermaid decodes every label back to the text with whitespace collapsed', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (text) => {
      expect(decode(mermaidLabel(text))).toBe(text.replace(/\s+/g, ' ').trim());
    }));
  });

  it('quotes a label for flowchart and ER syntax', () => {
    expect(quoted('a "b"')).toBe('"a #34;b#34;"');
  });
});

describe('wrappedLabel', () => {
  it('breaks long messages at word boundaries with <br/>, encoding each line', () => {
    expect(wrappedLabel('check the idempotency key; and that the order is payable', 20))
      .toBe('check the<br/>idempotency key#59; and<br/>that the order is<br/>payable');
  });

  it('keeps a word longer than the width whole', () => {
    expect(wrappedLabel('a verylongwordthatdoesnotfit b', 5)).toBe('a<br/>verylongwordthatdoesnotfit<br/>b');
  });
});

describe('idAllocator', () => {
  it('gives each name one stable id made of letters, digits and underscores', () => {
    const id = idAllocator('c');
    expect(id('payments-api')).toBe('c_payments_api');
    expect(id('payments-api')).toBe('c_payments_api');
    expect(id('end')).toBe('c_end');
  });

  it('numbers ids of different names that would clash', () => {
    const id = idAllocator('c');
    expect([id('a-b'), id('a.b'), id('a b')]).toEqual(['c_a_b', 'c_a_b_2', 'c_a_b_3']);
  });

  it('spells an id from a readable name while keying it by another', () => {
    const id = idAllocator('p');
    expect([id('component:links', 'links'), id('integration:links', 'links'), id('component:links', 'links')]).toEqual(['p_links', 'p_links_2', 'p_links']);
  });
});

describe('bareWord', () => {
  it('reduces text to a token Mermaid accepts where it takes no quotes', () => {
    expect(bareWord('Order_items')).toBe('Order_items');
    expect(bareWord('1st-field')).toBe('_1st_field');
  });
});
