import { describe, expect, it } from 'vitest';
import { linklyModel } from '../test-support/linkly-fixture.ts';
import { sequenceDiagram } from './sequence-diagram.ts';

describe('sequenceDiagram', () => {
  const model = linklyModel();
  const flow = (name: string) => model.flows.find((f) => f.name === name)!;

  it('starts at the user with the endpoint and its base path, and declares each participant once', () => {
    const text = sequenceDiagram(model, flow('shorten'));
    expect(text).toMatch(/^sequenceDiagram\n  autonumber\n  actor user as User\n  participant p_gateway as gateway\n/);
    expect(text).toContain('  user->>p_gateway: POST /api/links (authenticate and rate-limit)');
    expect(text.match(/participant p_links /g)).toHaveLength(1);
  });

  it('calls storage and integrations from the component reached last, and answers at once', () => {
    const text = sequenceDiagram(model, flow('shorten'));
    expect(text).toContain('  p_links->>p_safebrowsing: check the target is safe\n  p_safebrowsing-->>p_links: response\n');
    expect(text).toContain('  p_links->>p_primary: insert the link\n  p_primary-->>p_links: rows\n');
  });

  it('unwinds replies to the user, the last one saying what the endpoint returns', () => {
    const text = sequenceDiagram(model, flow('shorten'));
    expect(text).toMatch(/  p_links-->>p_gateway: result\n  p_gateway-->>user: the created Link \(201, Location header\)\n$/);
  });

  it('draws asynchronous steps as -) without a reply, and delivers emitted events to their consumers', () => {
    const text = sequenceDiagram(model, flow('visit'));
    expect(text).toContain('  p_links-)p_queue: publish link.visited\n');
    expect(text).not.toContain('p_queue-->>');
    expect(text).toContain('  p_queue-)p_analytics: link.visited\n');
  });

  it('publishes an emitted event itself when no step reaches the queue', () => {
    const edited = linklyModel((s) => { s.flows.visit.steps = s.flows.visit.steps.slice(0, 3); });
    const text = sequenceDiagram(edited, edited.flows.find((f) => f.name === 'visit')!);
    expect(text).toContain('  p_links-)p_queue: publish link.visited\n  p_queue-)p_analytics: link.visited\n');
  });

  it('encodes user text in messages so it cannot break the diagram', () => {
    const edited = linklyModel((s) => { s.flows.shorten.steps[1] = { to: 'links', does: 'check "x"; then #1: done' }; });
    const text = sequenceDiagram(edited, edited.flows.find((f) => f.name === 'shorten')!);
    expect(text).toContain('  p_gateway->>p_links: check #34;x#34;#59; then #35;1#58; done\n');
  });
});
