import { describe, expect, it } from 'vitest';
import { linklyModel } from '../test-support/linkly-fixture.ts';
import { containerDiagram } from './container-diagram.ts';

describe('containerDiagram', () => {
  const text = containerDiagram(linklyModel());

  it('puts components and storage inside the system boundary and integrations outside it', () => {
    const inside = text.slice(text.indexOf('  subgraph system['), text.indexOf('\n  end\n'));
    expect(inside).toContain('subgraph system["Linkly (URL shortener)"]');
    for (const id of ['c_gateway[', 'c_links[', 'c_analytics[', 's_primary[(', 's_cache[(', 's_queue[[']) expect(inside).toContain(id);
    expect(inside).not.toContain('x_safebrowsing');
    expect(text).toContain('  x_safebrowsing["safebrowsing<br/>external system#58; reject links to malware and phishing sites"]:::external');
  });

  it('draws synchronous flow calls solid and asynchronous ones dotted, labelled with the flows', () => {
    expect(text).toContain('  client -->|"shorten#59; visit"| c_gateway');
    expect(text).toContain('  c_links -->|"shorten"| x_safebrowsing');
    expect(text).toContain('  c_links -.->|"visit#59; link.visited"| s_queue');
  });

  it('delivers events from the queue to their consumers and links owners to the database', () => {
    expect(text).toContain('  s_queue -.->|"link.visited"| c_analytics');
    expect(text).toContain('  c_analytics -->|"owns Visit"| s_primary');
  });

  it('draws each pair of nodes at most once per direction and style', () => {
    const edges = text.split('\n').filter((l) => /-->|-\.->/.test(l)).map((l) => l.replace(/\|"[^"]*"\|/, ''));
    expect(new Set(edges).size).toBe(edges.length);
  });

  it('encodes user text in labels', () => {
    const edited = containerDiagram(linklyModel((s) => { s.architecture.components.links.purpose = 'links "and" [more]; #1'; }));
    expect(edited).toContain('c_links["links<br/>service#58; links #34;and#34; [more]#59; #35;1"]');
  });
});
