/**
 * Typed write failures every storage engine reports the same way, so the HTTP layer maps them to
 * status codes without knowing the engine: a unique or foreign-key violation is a 409, a missing
 * required value a 422, a malformed cursor a 400. Each keeps the driver's error in `cause`.
 */

/** Another record already holds this value of a unique field (or this id). */
export class UniqueViolationError extends Error {
  readonly code = 'unique_violation';
  constructor(readonly entity: string, readonly field: string, options?: { cause?: unknown }) {
    super(`another ${entity} already has this ${field}`, options);
    this.name = 'UniqueViolationError';
  }
}

/**
 * A reference points at a record that does not exist (on insert/update), or a delete is blocked by
 * records that still reference it with `onDelete: restrict`. `entity`.`field` is the referencing
 * field; `referenced` the entity it points at.
 */
export class ForeignKeyViolationError extends Error {
  readonly code = 'foreign_key_violation';
  constructor(
    readonly entity: string,
    readonly field: string,
    readonly referenced: string,
    readonly action: 'write' | 'delete',
    options?: { cause?: unknown },
  ) {
    super(
      action === 'write'
        ? `${entity}.${field} refers to a ${referenced} that does not exist`
        : `this ${referenced} is still referenced by ${entity}.${field}`,
      options,
    );
    this.name = 'ForeignKeyViolationError';
  }
}

/** A required field got no value (and has no default). */
export class NotNullViolationError extends Error {
  readonly code = 'not_null_violation';
  constructor(readonly entity: string, readonly field: string, options?: { cause?: unknown }) {
    super(`${entity}.${field} is required`, options);
    this.name = 'NotNullViolationError';
  }
}

/** A list cursor that this storage did not issue, or issued for another sort order. */
export class InvalidCursorError extends Error {
  readonly code = 'invalid_cursor';
  constructor(message = 'the cursor is malformed or belongs to another sort order') {
    super(message);
    this.name = 'InvalidCursorError';
  }
}

/**
 * A stored encrypted value cannot be decrypted: it is under a key id the keyring does not have,
 * it was altered or copied from another field (authentication failed), or it is malformed. An
 * operational error (the data or the keyring is wrong, not the request): the API answers 500 and
 * the log names the field, the record and the key id, never the value.
 */
export class FieldDecryptionError extends Error {
  readonly code = 'field_decryption_failed';
  constructor(
    /** `Entity.field`. */
    readonly context: string,
    /** What is wrong, in words (no value, no key material). */
    readonly detail: string,
    /** Why: the keyring lacks `keyId`, authentication failed, or the value is malformed. */
    readonly reason: 'unknown_key' | 'authentication_failed' | 'malformed',
    readonly keyId?: string,
    /** The record holding the value, e.g. `User 42`, when known. */
    readonly record?: string,
  ) {
    super(`cannot decrypt ${context}${record ? ` of ${record}` : ''}: ${detail}`);
    this.name = 'FieldDecryptionError';
  }

  /** The same failure, naming the record that holds the value. */
  of(record: string): FieldDecryptionError {
    return new FieldDecryptionError(this.context, this.detail, this.reason, this.keyId, record);
  }
}

/** An encrypted field was written, read or filtered on a storage opened without a field cipher (StorageConfig.fieldCipher). */
export class FieldKeyUnavailableError extends Error {
  readonly code = 'field_key_unavailable';
  constructor(readonly entity: string, readonly field: string) {
    super(`${entity}.${field} is encrypted at rest, but this storage was opened without the encryption key (StorageConfig.fieldCipher)`);
    this.name = 'FieldKeyUnavailableError';
  }
}

/**
 * A query the storage cannot answer on an encrypted field: sorting, range and `like` filters
 * (ciphertext has no order), or equality on one without a blind index (neither unique nor
 * filterable). A programming error in a handler; the generated API never asks.
 */
export class EncryptedFieldQueryError extends Error {
  readonly code = 'encrypted_field_query';
  constructor(readonly entity: string, readonly field: string, detail: string) {
    super(`${entity}.${field} is encrypted at rest: ${detail}`);
    this.name = 'EncryptedFieldQueryError';
  }
}
