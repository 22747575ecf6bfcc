import { createHmac } from 'node:crypto';
import { inspect } from 'node:util';

export const SENSITIVE = '(sensitive)';

/**
 * A value that must never be printed, logged or serialised. Every accidental path
 * (template string, JSON.stringify, util.inspect, pino) yields "(sensitive)";
 * only `reveal()` gives the value, and only request bodies call it.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  equals(other: string | Secret | null | undefined): boolean {
    if (other instanceof Secret) return other.#value === this.#value;
    return typeof other === 'string' && other === this.#value;
  }

  toString(): string {
    return SENSITIVE;
  }

  toJSON(): string {
    return SENSITIVE;
  }

  [inspect.custom](): string {
    return SENSITIVE;
  }
}

/** A salted HMAC of a secret: shows whether two secrets are equal without revealing either. */
export function secretFingerprint(salt: string, secret: Secret): string {
  return `hmac-sha256:${createHmac('sha256', salt).update(secret.reveal()).digest('hex').slice(0, 32)}`;
}
