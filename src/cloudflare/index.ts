export type { ApiObject, ResentDuplicate, SecondaryDnsApi } from './api.js';
export {
  createCloudflareClient,
  operationName,
  type ApiResponse,
  type CloudflareClient,
  type CloudflareClientOptions,
  type RequestBody,
  type ResultInfo,
} from './client.js';
export {
  DEFAULT_BASE_URL,
  assertSafeBaseUrl,
  authHeaders,
  credentialsFromEnv,
  resolveBaseUrl,
  type Credentials,
} from './credentials.js';
export { DEFAULT_PACING, createPacer, parseRatelimit, type Pacer, type PacerOptions, type PacerWait, type RatelimitInfo } from './pacer.js';
export {
  isIdempotent,
  isOutcomeUnknown,
  parseRetryAfter,
  retryPolicy,
  withRetry,
  type RetryContext,
  type RetryOptions,
  type RetryPolicy,
} from './retry.js';
export { describeResentDuplicate } from './explain.js';
export { createSecondaryDnsApi, type SecondaryDnsOptions } from './secondary-dns.js';
export {
  DEFAULT_MAX_RESPONSE_BYTES,
  createFetchTransport,
  maxResponseBytesFromEnv,
  type ClosableTransport,
  type FetchTransportOptions,
  type Transport,
  type TransportRequest,
  type TransportResponse,
} from './transport.js';
