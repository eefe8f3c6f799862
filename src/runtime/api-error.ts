/**
 * API errors: one class rendered as RFC 9457 problem+json. The set of codes is closed (a test keeps
 * it and docs/errors.md in agreement); shortcuts cover the common ones.
 *
 * @example
 * throw ApiError.notFound('Link abc does not exist');
 * // -> 404 { type: 'https://archspec.dev/problems/not_found', title: 'Not found', status: 404, code: 'not_found', detail: ... }
 */
export const API_ERRORS = {
  bad_request: { status: 400, title: 'Bad request' },
  validation_failed: { status: 422, title: 'Validation failed' },
  unknown_field: { status: 422, title: 'Unknown field' },
  read_only_field: { status: 422, title: 'Read-only field' },
  unauthenticated: { status: 401, title: 'Authentication required' },
  invalid_token: { status: 401, title: 'Invalid or expired token' },
  invalid_credentials: { status: 401, title: 'Invalid credentials' },
  forbidden: { status: 403, title: 'Forbidden' },
  not_found: { status: 404, title: 'Not found' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  conflict: { status: 409, title: 'Conflict' },
  immutable_record: { status: 409, title: 'Immutable record' },
  idempotency_key_reused: { status: 422, title: 'Idempotency key reused' },
  idempotency_key_in_flight: { status: 409, title: 'Request with this idempotency key in progress' },
  idempotency_key_answer_lost: { status: 409, title: 'Request with this idempotency key applied, answer lost' },
  precondition_failed: { status: 412, title: 'Precondition failed' },
  precondition_required: { status: 428, title: 'Precondition required' },
  payload_too_large: { status: 413, title: 'Payload too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  too_many_requests: { status: 429, title: 'Too many requests' },
  service_unavailable: { status: 503, title: 'Service unavailable' },
  internal: { status: 500, title: 'Internal error' },
} as const;

export type ApiErrorCode = keyof typeof API_ERRORS;

/** One invalid input, for `validation_failed`: where (a JSON pointer) and what is wrong. */
export interface InvalidParam {
  pointer: string;
  detail: string;
}

export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ApiErrorCode,
    readonly detail: string,
    readonly extra: { errors?: InvalidParam[]; retryAfterSeconds?: number; headers?: Record<string, string> } = {},
  ) {
    super(detail);
    this.name = 'ApiError';
    this.status = API_ERRORS[code].status;
  }

  static notFound(detail: string): ApiError { return new ApiError('not_found', detail); }
  static unauthenticated(detail = 'Sign in and send the access token as "Authorization: Bearer <token>".'): ApiError { return new ApiError('unauthenticated', detail); }
  static invalidToken(detail: string): ApiError { return new ApiError('invalid_token', detail); }
  static forbidden(detail: string): ApiError { return new ApiError('forbidden', detail); }
  static validation(errors: InvalidParam[]): ApiError {
    return new ApiError('validation_failed', `${errors.length} invalid value${errors.length === 1 ? '' : 's'}: ${errors.map((e) => `${e.pointer} ${e.detail}`).join('; ')}`, { errors });
  }
  static preconditionFailed(detail: string): ApiError { return new ApiError('precondition_failed', detail); }

  /** The RFC 9457 body. */
  toProblem(instance?: string): Record<string, unknown> {
    return {
      type: `https://archspec.dev/problems/${this.code}`,
      title: API_ERRORS[this.code].title,
      status: this.status,
      code: this.code,
      detail: this.detail,
      ...(instance ? { instance } : {}),
      ...(this.extra.errors ? { errors: this.extra.errors } : {}),
    };
  }
}
