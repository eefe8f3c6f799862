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
