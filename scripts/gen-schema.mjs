#!/usr/bin/env node
// Writes schema/dnsctl.schema.json from the resource kinds (buildSchema in src/config/schema.ts).
// Usage: npm run build && node scripts/gen-schema.mjs
// test/unit/config/schema.test.ts fails when the committed file differs from buildSchema().
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const builtConfig = new URL('../dist/config/index.js', import.meta.url);
const { buildSchema } = await import(builtConfig.href);
const target = new URL('../schema/dnsctl.schema.json', import.meta.url);
writeFileSync(target, `${JSON.stringify(buildSchema(), null, 2)}\n`);
console.log(`wrote ${fileURLToPath(target)}`);
