import type { RuleContext } from './rule-context.ts';
import { parseFieldDef } from '../normalize/field-def.ts';

/** References resolve, owners point at the user entity, enum/default/range values are coherent. */
export function checkData(ctx: RuleContext): void {
  const data = ctx.spec.data;
  if (!data) return;
  const userEntity = ctx.spec.api?.auth.userEntity ?? 'User';
  for (const [entityName, entity] of Object.entries(data)) {
    const base = ['data', entityName];
    for (const [fieldName, raw] of Object.entries(entity.fields)) {
      const path = [...base, 'fields', fieldName];
      const f = parseFieldDef(raw);
      if (f.ref) ctx.expect(ctx.entities, f.ref.entity, 'ref_unknown_entity', 'entity', typeof raw === 'object' ? [...path, 'ref'] : path);
      if (f.type === 'enum' && !f.values) ctx.report('enum_values_missing', `enum field "${fieldName}" has no values`, path);
      if (f.type !== 'enum' && f.values) ctx.report('enum_values_missing', `field "${fieldName}" lists values but is of type ${f.type}`, [...path, 'values'], { hint: 'Set type: enum, or remove values.' });
      if (f.min !== undefined && f.max !== undefined && f.min > f.max) ctx.report('range_inverted', `min ${f.min} is above max ${f.max}`, [...path, 'min']);
      if (f.minLength !== undefined && f.maxLength !== undefined && f.minLength > f.maxLength) ctx.report('range_inverted', `minLength ${f.minLength} is above maxLength ${f.maxLength}`, [...path, 'minLength']);
      if (f.default !== undefined) {
        const problem = defaultProblem(f.type, f.default, f.values);
        if (problem) ctx.report('default_invalid', `default ${JSON.stringify(f.default)} ${problem}`, [...path, 'default']);
      }
      if (f.pattern !== undefined) {
        try {
          new RegExp(f.pattern);
        } catch {
          ctx.report('value_invalid', `pattern "${f.pattern}" is not a valid regular expression`, [...path, 'pattern']);
        }
      }
    }
    if (entity.owner) {
      const raw = entity.fields[entity.owner];
      const f = raw === undefined ? undefined : parseFieldDef(raw);
      if (!f) ctx.report('entity_owner_invalid', `owner field "${entity.owner}" is not a field of ${entityName}`, [...base, 'owner']);
      else if (f.ref?.entity !== userEntity || f.ref.many) ctx.report('entity_owner_invalid', `owner field "${entity.owner}" must be a single reference to ${userEntity}`, [...base, 'owner']);
    }
  }
}

function defaultProblem(type: string, value: string | number | boolean, values?: string[]): string | undefined {
  if (type === 'enum') return values && !values.includes(String(value)) ? `is not one of ${values.join(', ')}` : undefined;
  if (type === 'boolean') return typeof value === 'boolean' ? undefined : 'is not a boolean';
  if (type === 'integer') return Number.isInteger(value) ? undefined : 'is not an integer';
  if (type === 'number' || type === 'decimal') return typeof value === 'number' ? undefined : 'is not a number';
  if (type === 'ref' || type === 'json') return type === 'ref' ? 'cannot be set on a reference' : undefined;
  return typeof value === 'string' || type === 'timestamp' ? undefined : `is not ${type} text`;
}
