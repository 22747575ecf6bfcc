import type { SecondaryDnsApi } from '../cloudflare/api.js';
import {
  assertSafeBaseUrl,
  createCloudflareClient,
  createFetchTransport,
  createPacer,
  createSecondaryDnsApi,
  credentialsFromEnv,
  resolveBaseUrl,
} from '../cloudflare/index.js';
import { USER_AGENT } from '../version.js';
import type { CommandContext } from './context.js';

/** The API as configured by flags and environment: credentials, base URL, pacing, retries. */
export function connect(ctx: CommandContext, accountId: string): SecondaryDnsApi {
  const { options, env, logger } = ctx;
  const credentials = credentialsFromEnv(env);
  const baseUrl = resolveBaseUrl(options.apiUrl, env);
  assertSafeBaseUrl(baseUrl);
  const pacer = options.rate ? createPacer({ capacity: options.rate.requests, refillPerSecond: options.rate.requests / options.rate.perSeconds }) : undefined;
  const client = createCloudflareClient({
    baseUrl,
    credentials,
    transport: createFetchTransport({ connections: options.concurrency }),
    timeoutMs: options.timeoutSeconds * 1000,
    retry: { maxRetries: options.maxRetries },
    ...(pacer ? { pacer } : {}),
    logger,
    userAgent: USER_AGENT,
  });
  return createSecondaryDnsApi(client, accountId);
}
