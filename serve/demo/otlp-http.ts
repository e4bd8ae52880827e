/**
 * The two HTTP calls a harness makes to Warden during a replay: an OTLP/HTTP export
 * (`POST /v1/logs` or `/v1/traces`, protobuf or JSON, answered per the OTLP spec — 200 with an
 * optional partial_success, 429/503 with Retry-After under pressure) and, for hooks, the verdict
 * asked before a tool runs. Rejected records are an error: a replay that silently lost events
 * would measure nothing.
 */
import { encodeOtlp } from '../../decode/otlp/index.js';
import type { DecodedRecord } from '../../decode/otlp/records.js';
import { otlpTypes } from '../../decode/otlp/schema.js';

export type WireEncoding = 'json' | 'protobuf';

const MAX_RETRIES = 20;

function headers(token: string | undefined, extra: Record<string, string>): Record<string, string> {
  return token ? { ...extra, authorization: `Bearer ${token}` } : extra;
}

function rejectedOf(signal: 'traces' | 'logs', encoding: WireEncoding, body: Buffer): { rejected: number; message: string } {
  if (body.length === 0) return { rejected: 0, message: '' };
  let parsed: { partialSuccess?: { rejectedSpans?: unknown; rejectedLogRecords?: unknown; errorMessage?: unknown } };
  if (encoding === 'json') parsed = JSON.parse(body.toString('utf8')) as typeof parsed;
  else {
    const type = signal === 'traces' ? otlpTypes.ExportTraceServiceResponse : otlpTypes.ExportLogsServiceResponse;
    parsed = type.toObject(type.decode(body), { longs: String }) as typeof parsed;
  }
  const partial = parsed.partialSuccess;
  if (partial === undefined) return { rejected: 0, message: '' };
  const rejected = Number(signal === 'traces' ? partial.rejectedSpans ?? 0 : partial.rejectedLogRecords ?? 0);
  return { rejected, message: typeof partial.errorMessage === 'string' ? partial.errorMessage : '' };
}

/**
 * Exports records in one OTLP/HTTP request; retries on 429/503, throws on anything not
 * accepted. Resolves with the body sent (so the caller can read back what Warden decoded).
 */
export async function exportRecords(
  baseUrl: string,
  signal: 'traces' | 'logs',
  records: DecodedRecord[],
  options: { encoding: WireEncoding; token?: string | undefined; sleep: (ms: number) => Promise<void> },
): Promise<Buffer> {
  const body = encodeOtlp(signal, records, options.encoding === 'json' ? 'otlp_json' : 'otlp_proto');
  const contentType = options.encoding === 'json' ? 'application/json' : 'application/x-protobuf';
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(`${baseUrl}/v1/${signal}`, { method: 'POST', headers: headers(options.token, { 'content-type': contentType }), body });
    const answer = Buffer.from(await response.arrayBuffer());
    if ((response.status === 429 || response.status === 503) && attempt < MAX_RETRIES) {
      const retryAfter = Number(response.headers.get('retry-after') ?? '1');
      await options.sleep(Math.min(5, Number.isFinite(retryAfter) ? retryAfter : 1) * 1000);
      continue;
    }
    if (response.status !== 200) throw new Error(`POST /v1/${signal} answered ${response.status}: ${answer.toString('utf8').slice(0, 300)}`);
    const { rejected, message } = rejectedOf(signal, options.encoding, answer);
    if (rejected > 0) throw new Error(`POST /v1/${signal} rejected ${rejected} of ${records.length} records: ${message}`);
    return body;
  }
}

/** The hook's question before a tool runs; null when Warden has no verdict endpoint (or refuses). */
export async function askVerdict(baseUrl: string, sessionId: string, tool: string, command: string, token: string | undefined): Promise<{ allow: boolean; reason: string } | null> {
  const query = new URLSearchParams({ tool, command });
  const response = await fetch(`${baseUrl}/api/v1/sessions/${encodeURIComponent(sessionId)}/verdict?${query.toString()}`, { headers: headers(token, {}) });
  if (response.status !== 200) {
    await response.arrayBuffer();
    return null;
  }
  const verdict = (await response.json()) as { allow?: unknown; reason?: unknown };
  return { allow: verdict.allow !== false, reason: typeof verdict.reason === 'string' ? verdict.reason : '' };
}
