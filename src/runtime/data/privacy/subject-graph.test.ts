import { describe, expect, it } from 'vitest';
import { editedSpecModel } from '../../../model/test-support/edited-spec.ts';
import { exampleModel } from '../../test-support/example-models.ts';
import { subjectGraph, type SubjectGraph } from './subject-graph.ts';

/** The ownership walk, on the examples and on edited specs with deeper chains and other subjects. */

const shape = (graph: SubjectGraph) => ({
  owned: graph.owned.map((o) => `${o.entity.name}.${o.field}`),
  through: graph.through.map((t) => `${t.entity.name} via ${t.fields.map((f) => `${f.field}->${f.parent}`).join(', ')}`),
  references: graph.references.map((r) => `${r.entity.name}.${r.field}${r.many ? '[]' : ''}`),
});

describe('subjectGraph', () => {
  it('linkly: links are owned, visits belong through their link', async () => {
    expect(shape(subjectGraph(await exampleModel('linkly'), 'User'))).toEqual({ owned: ['Link.owner'], through: ['Visit via link->Link'], references: [] });
  });

  it('payments: owner fields first; the ledger through payments and refunds; the refund issuer is only a reference', async () => {
    expect(shape(subjectGraph(await exampleModel('payments'), 'User'))).toEqual({
      owned: ['Order.customer', 'OrderItem.customer', 'Payment.customer', 'Refund.customer'],
      through: ['LedgerEntry via payment->Payment, refund->Refund'],
      references: ['Refund.issuedBy'],
    });
  });

  it('telehealth: every clinical record is owned by the patient; clinicians through their profile are not', async () => {
    expect(shape(subjectGraph(await exampleModel('telehealth'), 'User'))).toEqual({
      owned: ['Patient.user', 'Clinician.user', 'Appointment.patient', 'VisitNote.patient', 'Prescription.patient'],
      through: [],
      references: [],
    });
  });

  it('follows chains of any depth, and many-to-many references to the subject', () => {
    const model = editedSpecModel('examples/linkly/archspec.yaml', (s) => {
      s.data.Reaction = { fields: { visit: { ref: 'Visit', onDelete: 'cascade' }, emoji: 'string' } };
      s.data.Team = { fields: { name: 'string', members: { ref: 'User', many: true } } };
      s.architecture.storage.primary.holds.push('Reaction', 'Team');
    }, 'linkly spec');
    expect(shape(subjectGraph(model, 'User'))).toEqual({
      owned: ['Link.owner'],
      through: ['Visit via link->Link', 'Reaction via visit->Visit'],
      references: ['Team.members[]'],
    });
  });

  it('on a subject that is not the user entity, owns through the first required reference to it', () => {
    const model = editedSpecModel('examples/linkly/archspec.yaml', (s) => {
      s.data.Contact = { fields: { email: { type: 'email', pii: true } } };
      s.data.Message = { fields: { contact: { ref: 'Contact', onDelete: 'cascade' }, cc: { ref: 'Contact', required: false, onDelete: 'set-null' }, body: 'text' } };
      s.architecture.storage.primary.holds.push('Contact', 'Message');
      s.requirements.data = s.requirements.data.map((r: any) => (r.rule === 'erasable' ? { rule: 'erasable', entity: 'Contact' } : r));
    }, 'linkly spec');
    expect(shape(subjectGraph(model, 'Contact'))).toEqual({ owned: ['Message.contact'], through: [], references: ['Message.cc'] });
  });
});
