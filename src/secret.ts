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
