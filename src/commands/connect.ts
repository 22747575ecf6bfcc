import type { SecondaryDnsApi } from '../cloudflare/api.js';
import {
  assertSafeBaseUrl,
  createCloudflareClient,
  createPacer,
  createSecondaryDnsApi,
  credentialsFromEnv,
  maxResponseBytesFromEnv,
  resolveBaseUrl,
} from '../cloudflare/index.js';
import { USER_AGENT } from '../version.js';
import type { CommandContext } from './context.js';

/** The API as configured by flags and environment: credentials, base URL, pacing, retries. */
export function connect(ctx: CommandContext, accountId: string, secrets: string[]): SecondaryDnsApi {
  const { options, env, logger } = ctx;
  const credentials = credentialsFromEnv(env);
  const baseUrl = resolveBaseUrl(options.apiUrl, env);
  assertSafeBaseUrl(baseUrl);
  // --rate off: no pacing at all (benchmarks against a fake API without a budget).
  const pacer = options.rate ? createPacer({ capacity: options.rate.requests, refillPerSecond: options.rate.requests / options.rate.perSeconds }) : null;
  const client = createCloudflareClient({
    baseUrl,
    credentials,
    connections: options.concurrency,
    timeoutMs: options.timeoutSeconds * 1000,
    maxResponseBytes: maxResponseBytesFromEnv(env),
    retry: { maxRetries: options.maxRetries },
    pacer,
    stop: ctx.signal,
    // Scrubbed from every message, should Cloudflare ever echo one of them.
    redact: secrets,
    logger,
    userAgent: USER_AGENT,
  });
  ctx.cleanups.push(() => client.close());
  return createSecondaryDnsApi(client, accountId);
}
