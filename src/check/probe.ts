/** One probe: a (TSIG-signed) SOA query or AXFR to one peer, judged into a ProbeResult. */
import { problemFor } from './advice.js';
import { buildQuery, decodeAnswer, type DecodedAnswer } from './message.js';
import { ProbeNetworkError, tcpExchange, udpExchange } from './transport.js';
import { AnswerVerifier, signMessage, splitTsig, type TsigVerdict } from './tsig.js';
import type { CheckTarget, ProbeKind, ProbeResult, ProbeTransport, TsigOutcome } from './types.js';
import { canonicalName } from './wire.js';

export interface ProbeOptions {
  timeoutMs: number;
  /** Milliseconds since the epoch. */
  now: () => number;
}

interface Signing {
  query: Buffer;
  timeSigned: number;
  verifier: AnswerVerifier | null;
}

function sign(target: CheckTarget, query: Buffer, now: () => number): Signing {
  const timeSigned = Math.floor(now() / 1000);
  if (!target.tsig) return { query, timeSigned, verifier: null };
  const signed = signMessage(query, target.tsig, { timeSigned });
  return { query: signed.message, timeSigned, verifier: new AnswerVerifier(target.tsig, signed.mac, () => Math.floor(now() / 1000)) };
}

function blank(target: CheckTarget, query: ProbeKind, transport: ProbeTransport): ProbeResult {
  return {
    zone: target.zone,
    peer: target.peer,
    ip: target.ip,
    port: target.port,
    query,
    transport,
    ok: false,
    reachability: 'answered',
    rcode: null,
    tsigKey: target.tsig ? canonicalName(target.tsig.name) : null,
    tsig: null,
    skewSeconds: null,
    authoritative: null,
    serial: null,
    records: null,
    messages: null,
    problem: null,
  };
}

function finish(result: ProbeResult, target: CheckTarget, timeoutMs: number, detail: string | null = null): ProbeResult {
  const tsigOk = result.tsig === 'verified' || result.tsig === 'none';
  const complete = result.query === 'SOA' || (result.serial !== null && result.records !== null);
  result.ok = result.reachability === 'answered' && result.rcode === 'NOERROR' && tsigOk && result.authoritative === true && complete;
  result.problem = result.ok ? null : problemFor(result, { algorithm: target.tsig?.algorithm ?? null, timeoutMs, detail });
  return result;
}

const SERVER_TSIG_ERRORS: readonly TsigOutcome[] = ['BADKEY', 'BADSIG', 'BADTIME', 'BADTRUNC'];

/** Applies a TSIG verdict to the result; false when the answer cannot be trusted further. */
function applyVerdict(result: ProbeResult, verdict: TsigVerdict, timeSigned: number): boolean {
  switch (verdict.status) {
    case 'verified':
      result.tsig = 'verified';
      return true;
    case 'server-error':
      result.tsig = SERVER_TSIG_ERRORS.find((e) => e === verdict.error) ?? 'BADSIG';
      if (verdict.serverTime !== null) result.skewSeconds = verdict.serverTime - timeSigned;
      return false;
    case 'time-outside-fudge':
      result.tsig = 'time-outside-fudge';
      result.skewSeconds = verdict.skewSeconds;
      return false;
    case 'unsigned':
      result.tsig = 'unsigned-answer';
      return false;
    case 'bad-truncation':
      result.tsig = 'BADTRUNC';
      return false;
    case 'other-key':
    case 'mac-mismatch':
      result.tsig = verdict.status;
      return false;
  }
}

function isZoneSoa(zone: string, answer: DecodedAnswer) {
  return answer.soas.filter((soa) => soa.name === canonicalName(zone));
}

/** A (signed) SOA query over TCP or UDP. */
export async function probeSoa(target: CheckTarget, transport: ProbeTransport, options: ProbeOptions): Promise<ProbeResult> {
  const result = blank(target, 'SOA', transport);
  const signing = sign(target, buildQuery(target.zone, 'SOA'), options.now);
  let message: Buffer | null = null;
  try {
    if (transport === 'UDP') {
      message = await udpExchange(target.ip, target.port, signing.query, options);
    } else {
      await tcpExchange(target.ip, target.port, signing.query, options, (m) => {
        message = m;
        return true;
      });
    }
  } catch (err) {
    if (!(err instanceof ProbeNetworkError)) throw err;
    result.reachability = err.reason;
    return finish(result, target, options.timeoutMs, err.message);
  }
  const answer = message!;
  let decoded: DecodedAnswer;
  try {
    if (signing.verifier) applyVerdict(result, signing.verifier.next(answer) ?? { status: 'unsigned' }, signing.timeSigned);
    else result.tsig = 'none';
    decoded = decodeAnswer(splitTsig(answer).unsigned);
  } catch (err) {
    result.reachability = 'network';
    return finish(result, target, options.timeoutMs, `unreadable answer (${(err as Error).message})`);
  }
  result.rcode = decoded.rcode;
  const soas = isZoneSoa(target.zone, decoded);
  result.authoritative = decoded.authoritative && soas.length > 0;
  result.serial = soas[0]?.serial ?? null;
  return finish(result, target, options.timeoutMs);
}

/** A (signed) AXFR over TCP: every message's MAC verified, records counted up to the closing SOA. */
export async function probeAxfr(target: CheckTarget, options: ProbeOptions): Promise<ProbeResult> {
  const result = blank(target, 'AXFR', 'TCP');
  const signing = sign(target, buildQuery(target.zone, 'AXFR'), options.now);
  let messages = 0;
  let records = 0;
  let zoneSoas = 0;
  let closingSerial: number | null = null;
  try {
    await tcpExchange(target.ip, target.port, signing.query, options, (message) => {
      messages += 1;
      if (!signing.verifier) result.tsig = 'none';
      else {
        const verdict = signing.verifier.next(message);
        if (verdict && !applyVerdict(result, verdict, signing.timeSigned)) {
          result.rcode = decodeAnswer(splitTsig(message).unsigned).rcode;
          return true;
        }
      }
      const decoded = decodeAnswer(splitTsig(message).unsigned);
      if (messages === 1) result.authoritative = decoded.authoritative;
      result.rcode = decoded.rcode;
      if (decoded.rcode !== 'NOERROR') return true;
      records += decoded.answerCount;
      for (const soa of isZoneSoa(target.zone, decoded)) {
        zoneSoas += 1;
        if (zoneSoas === 2) closingSerial = soa.serial;
      }
      if (messages === 1 && zoneSoas === 0) {
        result.authoritative = false;
        return true;
      }
      return zoneSoas >= 2;
    });
  } catch (err) {
    if (!(err instanceof ProbeNetworkError)) throw err;
    result.reachability = messages > 0 && err.reason === 'closed' ? 'closed' : err.reason;
    result.messages = messages;
    return finish(result, target, options.timeoutMs, messages > 0 ? `after ${messages} message(s)` : err.message);
  }
  result.messages = messages;
  if (closingSerial !== null) {
    result.records = records;
    result.serial = closingSerial;
    if (signing.verifier && !signing.verifier.endsSigned) result.tsig = 'unsigned-end';
  }
  return finish(result, target, options.timeoutMs);
}
