import { cancel, isCancel, multiselect, select, text } from '@clack/prompts';
import { COMPLIANCE_STANDARDS } from '../../spec/schema/index.ts';
import { CliError } from '../run-command.ts';
import {
  STARTER_STYLES, parseCompliance, recommendedAnswers, toEntityName, validate,
  type ComplianceStandard, type InitAnswers, type StarterStyle,
} from './answers.ts';

/** The answer flags of `archspec init` as commander hands them over (all text). */
export interface InitFlags {
  name?: string;
  type?: string;
  purpose?: string;
  entity?: string;
  style?: string;
  users?: string;
  growth?: string;
  availability?: string;
  compliance?: string;
}

/**
 * Collects the answers: flags first (an invalid flag throws a CliError naming it), then, when
 * `interactive`, asks the remaining questions with @clack/prompts showing the recommended answer as the
 * default; otherwise takes the recommended answer for each. Returns undefined when the user cancels.
 *
 * @example
 * const answers = await askAnswers('shop', { name: 'Shop', style: 'microservices' }, false);
 */
export async function askAnswers(dir: string, flags: InitFlags, interactive: boolean): Promise<InitAnswers | undefined> {
  const given = fromFlags(flags);
  const answers = recommendedAnswers(dir, given.entity);
  for (const key of QUESTION_ORDER) {
    // The recommended purpose names the main entity, so it is worked out once the entity is known.
    const recommended = recommendedAnswers(dir, answers.entity)[key];
    let value = given[key] ?? recommended;
    if (interactive && given[key] === undefined) {
      const asked = await ask<InitAnswers[typeof key]>(() => QUESTIONS[key](String(recommended)));
      if (asked === null) return undefined;
      value = asked;
    }
    Object.assign(answers, { [key]: value });
  }
  return answers;
}

/** The template's order: who the system is, what it holds, how it is built, how big and how strict. */
const QUESTION_ORDER = ['name', 'type', 'entity', 'purpose', 'style', 'users', 'growth', 'availability', 'compliance'] as const;

const QUESTIONS: { [K in keyof InitAnswers]: (recommended: string) => Promise<InitAnswers[K] | symbol> } = {
  name: (r) => askText('System name?', r, validate.text),
  type: (r) => askText('What kind of system is it?', r, validate.text),
  entity: async (r) => mapText(await askText('Main entity, the thing your users work with?', r, validate.entity), toEntityName),
  purpose: (r) => askText('It will... (what it does for its users)', r, validate.text),
  style: (r) => select<StarterStyle>({
    message: 'Architecture style?',
    initialValue: r as StarterStyle,
    options: [
      { value: 'modular-monolith', label: 'modular monolith', hint: 'recommended: one deployable, split later' },
      { value: 'microservices', label: 'microservices', hint: 'independent deployables, one owner per entity' },
      { value: 'event-driven', label: 'event-driven', hint: 'writes publish events; consumers react asynchronously' },
    ],
  }),
  users: async (r) => mapText(await askText('Concurrent users at launch?', r, validate.users), Number),
  growth: (r) => askText('User growth?', r, validate.growth),
  availability: (r) => askText('Availability target?', r, validate.availability),
  compliance: () => multiselect<ComplianceStandard>({
    message: 'Compliance standards? (space selects, enter confirms; none is fine)',
    options: COMPLIANCE_STANDARDS.map((value) => ({ value })),
    required: false,
  }),
};

/** Validates and converts the flags that were given; throws a CliError for the first invalid one. */
function fromFlags(flags: InitFlags): Partial<InitAnswers> {
  const check = (flag: string, value: string, problem: string | undefined) => {
    if (problem) throw new CliError(`--${flag} "${value}": ${problem}`, 'Fix the flag, or leave it out to be asked (or to take the recommended answer with --yes).');
    return value.trim();
  };
  const out: Partial<InitAnswers> = {};
  if (flags.name !== undefined) out.name = check('name', flags.name, validate.text(flags.name));
  if (flags.type !== undefined) out.type = check('type', flags.type, validate.text(flags.type));
  if (flags.purpose !== undefined) out.purpose = check('purpose', flags.purpose, validate.text(flags.purpose));
  if (flags.entity !== undefined) out.entity = toEntityName(check('entity', flags.entity, validate.entity(flags.entity)));
  if (flags.style !== undefined) {
    const ok = (STARTER_STYLES as readonly string[]).includes(flags.style);
    out.style = check('style', flags.style, ok ? undefined : `choose one of ${STARTER_STYLES.join(', ')}`) as StarterStyle;
  }
  if (flags.users !== undefined) out.users = Number(check('users', flags.users, validate.users(flags.users)));
  if (flags.growth !== undefined) out.growth = check('growth', flags.growth, validate.growth(flags.growth));
  if (flags.availability !== undefined) out.availability = check('availability', flags.availability, validate.availability(flags.availability));
  if (flags.compliance !== undefined) out.compliance = parseCompliance(check('compliance', flags.compliance, validate.compliance(flags.compliance)));
  return out;
}

async function askText(message: string, recommended: string, check: (v?: string) => string | undefined): Promise<string | symbol> {
  // An empty answer takes the recommended one, so it is validated as that.
  const value = await text({ message, placeholder: recommended, defaultValue: recommended, validate: (v) => check(v || recommended) });
  return typeof value === 'string' ? value.replace(/\s+/g, ' ').trim() : value;
}

function mapText<T>(value: string | symbol, convert: (v: string) => T): T | symbol {
  return typeof value === 'string' ? convert(value) : value;
}

/** Runs one prompt; null when the user cancelled (Ctrl+C), after saying so. */
async function ask<T>(prompt: () => Promise<T | symbol>): Promise<T | null> {
  const value = await prompt();
  if (isCancel(value)) {
    cancel('init cancelled; nothing was written.');
    return null;
  }
  return value as T;
}
