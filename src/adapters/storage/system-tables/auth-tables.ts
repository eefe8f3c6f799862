import type { TablePlan } from '../schema-plan.ts';
import { text } from './table-columns.ts';

/** Credentials, refresh tokens and API keys (see SystemStore); user ids are text whatever the user entity's id type. */
export function authTables(): TablePlan[] {
  return [
    {
      name: '_archspec_api_keys',
      columns: [text('id', true, true), text('keyHash'), text('userId'), text('roles'), text('createdAt'), text('revokedAt', false)],
      indexes: [
        { name: 'ux__archspec_api_keys_keyHash', columns: ['keyHash'], unique: true },
        { name: 'ix__archspec_api_keys_userId', columns: ['userId'], unique: false },
      ],
    },
    {
      name: '_archspec_credentials',
      columns: [text('userId', true, true), text('passwordHash'), text('updatedAt')],
      indexes: [],
    },
    {
      name: '_archspec_refresh_tokens',
      columns: [text('tokenHash', true, true), text('familyId'), text('userId'), text('issuedAt'), text('expiresAt'), text('usedAt', false), text('revokedAt', false)],
      indexes: [
        { name: 'ix__archspec_refresh_tokens_familyId', columns: ['familyId'], unique: false },
        { name: 'ix__archspec_refresh_tokens_userId', columns: ['userId'], unique: false },
      ],
    },
  ];
}
