/** `dnsctl check`: TSIG-signed SOA and AXFR probes of the peers zones are transferred from. */
export { buildCheckTargets, zoneName } from './targets.js';
export { runChecks } from './run.js';
export { probeAxfr, probeSoa, type ProbeOptions } from './probe.js';
export { AnswerVerifier, signMessage, splitTsig, tsigTimers, tsigVariables, TSIG_HASHES, DEFAULT_FUDGE, type TsigKey, type TsigRecord, type TsigVerdict } from './tsig.js';
export { renderCheckText } from './report-text.js';
export { checkJson, renderCheckJson } from './report-json.js';
export { renderCheckMarkdown } from './report-markdown.js';
export type * from './types.js';
