// The pure decision core of delivery with failover: which channels to try (route), what to do after a failure or
// a missing receipt (failover), whether a channel may be used (circuit breaker), how fast (rate limit), when
// (quiet hours), and how all of it reads to a shop owner (explain). No I/O: the dispatcher brings state and time.
export {
  CHANNEL_NAMES,
  CHANNEL_OPERATORS,
  IDENTITY_NOUNS,
  channelName,
  channelOperator,
  describeAddressKinds,
  formatDuration,
} from './wording.js';
export {
  SKIP_REASONS,
  WHATSAPP_WINDOW_MS,
  optOutDetail,
  planRoute,
  type Consent,
  type RouteCandidate,
  type RouteChannel,
  type RouteIdentity,
  type RouteInput,
  type RoutePlan,
  type RouteSkip,
  type SkipReason,
} from './route.js';
export {
  DEFAULT_BACKOFF,
  DEFAULT_MAX_RETRY_AFTER_MS,
  DEFAULT_RETRY_BUDGET,
  DEFAULT_UNKNOWN_RETRY_BUDGET,
  PERMANENT_CATEGORIES,
  backoffDelay,
  decideAfterFailure,
  decideOnTimeout,
  isPermanent,
  nextReceiptDeadline,
  type Backoff,
  type FailoverDecision,
  type FailureInput,
  type NextReason,
  type ReceiptPolicy,
  type ReceiptStatus,
  type ReceiptTimeout,
} from './failover.js';
export {
  categoryDetail,
  explainAttempt,
  explainFinal,
  withoutPromises,
  type AttemptOutcome,
  type AttemptStory,
  type FinalState,
  type NextStep,
} from './explain.js';
export {
  DEFAULT_CIRCUIT_CONFIG,
  canAttempt,
  initialCircuit,
  recordFailure,
  recordSuccess,
  routableStatus,
  windowCounts,
  type AttemptPermission,
  type CircuitBucket,
  type CircuitConfig,
  type CircuitState,
  type CircuitStatus,
  type CircuitTransition,
  type CircuitTransitionReason,
  type CircuitUpdate,
} from './circuit-breaker.js';
export {
  PROVIDER_RATE_LIMITS,
  RECIPIENT_RATE_LIMITS,
  channelRateLimit,
  takeToken,
  type RateLimit,
  type TokenBucket,
} from './rate-limit.js';
export { QuietHoursError, isQuietTime, nextSendTime, type QuietHours } from './quiet-hours.js';
