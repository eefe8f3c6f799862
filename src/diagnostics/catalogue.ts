/**
 * The catalogue of spec diagnostic codes. Codes are stable: tools and docs (`docs/errors.md`) depend
 * on them, and a test keeps this table and the docs in agreement both ways.
 */
export interface CatalogueEntry {
  severity: 'error' | 'warning';
  /** One line describing the problem class. */
  title: string;
  /** Default advice on how to fix it. */
  hint: string;
}

function e(title: string, hint: string): CatalogueEntry {
  return { severity: 'error', title, hint };
}

export const CATALOGUE = {
  // reading
  spec_file_unreadable: e('The spec file cannot be read.', 'Check the path and permissions; archspec reads archspec.yaml or archspec.config.ts.'),
  yaml_syntax: e('The YAML is not well-formed.', 'Fix the indentation or quoting at this position; YAML needs consistent spaces, no tabs.'),
  yaml_duplicate_key: e('A key appears twice in the same mapping.', 'Remove or rename one of the two keys; YAML keeps only one.'),
  spec_ts_invalid: e('The TypeScript spec could not be loaded.', 'Export the spec as `export default defineSystem({...})` from archspec.config.ts.'),
  // structure
  field_unknown: e('A field the spec language does not have.', 'Remove it or correct its spelling; `archspec schema` lists every field.'),
  field_required: e('A required field is missing.', 'Add the field; docs/spec.md shows each section with an example.'),
  field_type: e('A value has the wrong type.', 'Write the value with the expected type (text, number, list or mapping).'),
  value_invalid: e('A value is not one the field accepts.', 'Use one of the accepted values or the unit format shown.'),
  value_out_of_range: e('A value is outside what is possible.', 'Use a value within the stated range.'),
  name_invalid: e('A name does not follow the naming rule.', 'Rename it following the rule stated in the message.'),
  // references
  endpoint_unknown_entity: e('An endpoint operates on an entity that is not in the data model.', 'Declare the entity under data:, or fix the name.'),
  endpoint_unknown_role: e('An endpoint allows a role that security.roles does not define.', 'Define the role under security.roles, or fix the name.'),
  endpoint_unknown_component: e('An endpoint names a component that does not exist.', 'Use a key of architecture.components.'),
  endpoint_no_behaviour: e('An endpoint has neither `does` nor `handler`, or has both.', 'Give generated endpoints `does: create Link`, custom ones `handler: ./handlers/x.ts`.'),
  endpoint_method_mismatch: e('The HTTP method does not fit the generated operation.', 'Use POST for create, GET for list/get, PATCH or PUT for update, DELETE for delete.'),
  endpoint_path_params: e('The path parameters do not fit the operation.', 'get/update/delete need exactly one path parameter (the id); list and create need none.'),
  endpoint_duplicate: e('Two endpoints match the same requests.', 'Give each method and path shape one endpoint.'),
  handler_not_found: e('A handler module does not exist.', 'Create the file, or fix the path (relative to the spec file).'),
  scope_own_without_owner: e('`scope: own` on an entity with no owner field.', 'Set `owner: <field>` on the entity, pointing at the user entity.'),
  flow_unknown_step: e('A flow step names nothing that exists.', 'Use a component, an integration, or primary, cache or queue.'),
  flow_unknown_operation: e('A flow names an operation type with no latency target.', 'Use a key of requirements.nonFunctional.latency.'),
  flow_unknown_endpoint: e('A flow names an endpoint that does not exist.', 'Use a key of api.endpoints.'),
  permission_unknown_entity: e('A role permission names an entity that does not exist.', 'Use an entity from data:, or "*" for all.'),
  permission_invalid: e('A role permission is not of the form Entity:action[:own].', 'Write e.g. Link:create, Link:read:own, Link:*, or "*".'),
  ref_unknown_entity: e('A reference field points at an entity that does not exist.', 'Use an entity declared under data:.'),
  owns_unknown_entity: e('A component owns an entity that does not exist.', 'Use an entity declared under data:.'),
  holds_unknown_entity: e('The database holds an entity that does not exist.', 'Use an entity declared under data:.'),
  entity_not_stored: e('An entity is not held by any database.', 'Add it to architecture.storage.primary.holds.'),
  entity_owner_invalid: e('An entity owner field is not a reference to the user entity.', 'Point `owner` at a field with `ref: User` (the auth user entity).'),
  consumer_unknown_event: e('A component consumes an event nobody declares.', 'Declare the event under events:, or fix the name.'),
  emits_unknown_event: e('Something emits an event that is not declared.', 'Declare the event under events:.'),
  event_unknown_producer: e('An event names a producer that is not a component.', 'Use a key of architecture.components.'),
  requirement_unknown_target: e('A requirement is traced to an endpoint, flow or job that does not exist.', 'Use a key of api.endpoints, flows or jobs.'),
  data_rule_unknown_target: e('A data rule names an entity or field that does not exist.', 'Use Entity or Entity.field from data:.'),
  redundancy_unknown_target: e('Redundancy is declared for something that does not exist.', 'Use a component, or primary, cache or queue.'),
  scaling_unknown_component: e('Horizontal scaling names a component that does not exist.', 'Use a key of architecture.components.'),
  cache_unknown_target: e('A cache rule names neither an entity nor an endpoint.', 'Use an entity name or an endpoint key.'),
  operation_unknown: e('An operation type has no latency target.', 'Use a key of requirements.nonFunctional.latency.'),
  job_unknown_component: e('A job names a component that does not exist.', 'Use a key of architecture.components.'),
  job_schedule_invalid: e('A cron schedule has an out-of-range field.', 'Use minute hour day-of-month month day-of-week, e.g. "0 3 * * *".'),
  job_timezone_invalid: e('A time zone is not a known IANA zone.', 'Use a zone like UTC or Europe/Berlin.'),
  auth_user_entity_unknown: e('The auth user entity does not exist.', 'Declare it under data: with an email field, or set api.auth.userEntity.'),
  auth_oidc_missing: e('OIDC authentication without an oidc: block.', 'Add api.auth.oidc with issuer and audience.'),
  name_clash: e('Two things share one name across components, integrations and storage.', 'Rename one; flows refer to them by name.'),
  // impossible values
  percentile_order: e('A higher percentile has a lower target than a lower one.', 'Make targets grow with the percentile: p50 <= p95 <= p99.'),
  range_inverted: e('A minimum is above its maximum.', 'Swap the two values or fix one.'),
  mix_not_whole: e('The request mix does not add up to 100%.', 'Adjust the shares so they sum to 100%.'),
  enum_values_missing: e('An enum field without values, or values on a non-enum field.', 'Give type: enum fields a values: list.'),
  default_invalid: e('A default value does not fit its field.', 'Use a default of the field type (and one of its values for enums).'),
  retention_without_age: e('A retention rule names an entity whose records carry no age.', 'Keep timestamps on the entity (the default), or give it a required timestamp field such as postedAt.'),
  // style rules
  microservices_entity_owner: e('In microservices, each entity must have exactly one owning service.', 'List the entity in `owns` of exactly one service component.'),
} as const satisfies Record<string, CatalogueEntry>;

export type DiagnosticCode = keyof typeof CATALOGUE;
