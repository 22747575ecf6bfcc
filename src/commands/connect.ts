import type { SecondaryDnsApi } from '../cloudflare/api.js';
import {
  assertSafeBaseUrl,
  createCloudflareClient,
  createPacer,
  createSecondaryDnsApi,
  credentialsFromEnv,
  maxResponseBytesFromEnv,
  resolveBaseUrl,
  type PacerWait,
} from '../cloudflare/index.js';
import { USER_AGENT } from '../version.js';
import type { CommandContext } from './context.js';

type WaitListener = (wait: PacerWait) => void;
const waitListeners = new WeakMap<CommandContext, Set<WaitListener>>();

/** Hears every time this command's pacer holds requests (progress output). Returns the unsubscribe. */
export function onPacerWait(ctx: CommandContext, listener: WaitListener): () => void {
  let listeners = waitListeners.get(ctx);
  if (!listeners) waitListeners.set(ctx, (listeners = new Set()));
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Tells this command's listeners that the pacer holds requests. */
export function announcePacerWait(ctx: CommandContext, wait: PacerWait): void {
  if (wait.waitMs >= 1000) ctx.logger.info({ waitMs: wait.waitMs, reason: wait.reason }, 'waiting for the API budget');
  for (const listener of waitListeners.get(ctx) ?? []) listener(wait);
}

/** The API as configured by flags and environment: credentials, base URL, pacing, retries. */
export function connect(ctx: CommandContext, accountId: string, secrets: string[]): SecondaryDnsApi {
  const { options, env, logger } = ctx;
  const credentials = credentialsFromEnv(env);
  const baseUrl = resolveBaseUrl(options.apiUrl, env);
  assertSafeBaseUrl(baseUrl);
  const onWait = (wait: PacerWait) => announcePacerWait(ctx, wait);
  // --rate off: no pacing at all (benchmarks against a fake API without a budget).
  const pacer = options.rate ? createPacer({ limit: options.rate.requests, windowMs: options.rate.perSeconds * 1000, onWait }) : null;
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
