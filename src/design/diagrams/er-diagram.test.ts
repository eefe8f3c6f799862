import { describe, expect, it } from 'vitest';
import { linklyModel } from '../test-support/linkly-fixture.ts';
import { erDiagram } from './er-diagram.ts';

describe('erDiagram', () => {
  const text = erDiagram(linklyModel());

  it('lists each entity with its primary identifier, typed fields and key markers', () => {
    expect(text).toMatch(/^erDiagram\n/);
    expect(text).toContain('  Link {\n    string code PK "generated#58; short"\n    url target\n');
    expect(text).toContain('    email email UK "PII#59; encrypted"');
    expect(text).toContain('    timestamp deletedAt "soft delete"');
  });

  it('types a foreign key like the primary key it references', () => {
    expect(text).toContain('    string link FK "references Link, on delete cascade"');
    expect(text).toContain('    uuid owner FK "references User, on delete cascade"');
  });

  it('draws a required many-to-one reference as exactly-one on the target side', () => {
    expect(text).toContain('  Link }o--|| User : "owner"');
    expect(text).toContain('  Visit }o--|| Link : "link"');
  });

  it('draws an optional reference as zero-or-one on the target side', () => {
    const model = linklyModel((s) => { s.data.Link.fields.owner = { ref: 'User', required: false, onDelete: 'set-null' }; });
    expect(erDiagram(model)).toContain('  Link }o--o| User : "owner"');
  });

  it('draws many-to-many through a join table with a composite key, and leaves the field off the entity', () => {
    const model = linklyModel((s) => {
      s.data.Tag = { description: 'a label', fields: { name: 'string' } };
      s.data.Link.fields.tags = { ref: 'Tag', many: true };
      s.architecture.storage.primary.holds.push('Tag');
      s.architecture.components.links.owns.push('Tag');
    });
    const er = erDiagram(model);
    expect(er).toContain('  Link_tags {\n    string linkId PK, FK\n    uuid tagId PK, FK\n  }');
    expect(er).toContain('  Link ||--o{ Link_tags : "tags"');
    expect(er).toContain('  Tag ||--o{ Link_tags : "in Link.tags"');
    expect(er).not.toMatch(/ tags FK/);
  });
});
