/**
 * Why ingest refused a message. Stable codes: they label the `ingest_rejected_total` Prometheus
 * counter and the dead-letter log, and operators alert on them, so never rename one.
 */
export const REJECTION_REASONS = [
  /** Payload is not valid UTF-8 JSON. */
  'malformed_json',
  /** JSON, but none of the accepted payload forms (ThingsBoard-style object/array, SenML). */
  'invalid_payload',
  /** A metric key (or SenML name) not in the catalog. */
  'unknown_metric',
  /** A value that is not a finite number (string, boolean, null, NaN, Infinity). */
  'wrong_type',
  /** A number outside the metric's physical range (pH 15, negative salinity). */
  'out_of_range',
  /** A SenML unit that differs from the catalog unit and has no exact conversion. */
  'unit_mismatch',
  /** Timestamp more than 5 minutes ahead of the platform clock. */
  'timestamp_in_future',
  /** Timestamp older than the store's retention. */
  'timestamp_too_old',
  /** Payload larger than the configured maximum. */
  'payload_too_large',
  /** Topic not in the contract, or a site that is not registered. */
  'unknown_site',
  /** A batch with more entries than allowed. */
  'too_many_entries',
  /** The site is disabled by an admin: its messages are refused until it is enabled again. */
  'site_disabled',
] as const;

export type RejectionReason = (typeof REJECTION_REASONS)[number];

/** How far ahead of the platform clock a reading's timestamp may be, ms (clock skew tolerance). */
export const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;
