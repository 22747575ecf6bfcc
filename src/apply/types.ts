import type { Operation } from '../plan/types.js';

export interface ErrorInfo {
  message: string;
  /** HTTP status when the API answered. */
  status?: number;
  /** Cloudflare error codes, when the API gave any. */
  codes?: number[];
}

export type Result =
  | { status: 'applied'; op: Operation; cloudflareId: string | null }
  | { status: 'failed'; op: Operation; error: ErrorInfo; cloudflareId: string | null }
  | { status: 'skipped'; op: Operation; reason: string };
