/**
 * The floor of `dnsctl validate`: a Node process that reads the config and parses it with
 * `yaml.parse` (the library dnsctl uses), nothing else. Spawned like dnsctl, so the ratio
 * validate / this holds dnsctl's own checks, schema and module loading, not Node's start-up.
 *
 *   node scripts/bench/yaml-floor.mjs FILE   → one JSON line: { parseMs }
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const started = performance.now();
const doc = parse(readFileSync(process.argv[2] ?? '', 'utf8'));
const parseMs = performance.now() - started;
if (typeof doc !== 'object' || doc === null) throw new Error('not a YAML mapping');
process.stdout.write(`${JSON.stringify({ parseMs })}\n`);
