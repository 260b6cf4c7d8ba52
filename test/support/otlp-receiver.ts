import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One span as an OTLP/HTTP JSON export carries it, with its resource's service.name. */
export interface ReceivedSpan {
  service: string;
  scope: string;
  name: string;
  traceId: string;
  spanId: string;
  /** '' for a root span. */
  parentSpanId: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  attributes: Record<string, string | number | boolean>;
}

interface AnyValue { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number }
interface KeyValue { key: string; value: AnyValue }
interface ExportRequest {
  resourceSpans?: { resource?: { attributes?: KeyValue[] }; scopeSpans?: { scope?: { name?: string }; spans?: { name: string; traceId: string; spanId: string; parentSpanId?: string; kind: number; attributes?: KeyValue[] }[] }[] }[];
}

function flatten(kvs: KeyValue[] = []): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const { key, value } of kvs) {
    const v = value.stringValue ?? value.boolValue ?? value.doubleValue ?? (value.intValue !== undefined ? Number(value.intValue) : undefined);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/**
 * An OpenTelemetry collector's OTLP/HTTP trace endpoint (JSON encoding, what
 * @opentelemetry/exporter-trace-otlp-http sends) on a real HTTP server, keeping every span.
 * Point a service process at it with OTEL_EXPORTER_OTLP_ENDPOINT=receiver.url.
 */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  /** Requests that were not a JSON trace export; a test expects none. */
  readonly rejected: string[] = [];

  private constructor(private readonly server: Server) {}

  static async start(): Promise<OtlpReceiver> {
    let receiver: OtlpReceiver | undefined;
    const server = createServer((req, res) => {
      let text = '';
      req.on('data', (d: Buffer) => (text += d.toString()));
      req.on('end', () => {
        const ok = req.url === '/v1/traces' && receiver!.accept(text);
        if (!ok) receiver!.rejected.push(`${req.method} ${req.url} ${req.headers['content-type']}`);
        res.writeHead(ok ? 200 : 400, { 'content-type': 'application/json' }).end('{}');
      });
    });
    receiver = new OtlpReceiver(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private accept(text: string): boolean {
    let body: ExportRequest;
    try {
      body = JSON.parse(text) as ExportRequest;
    } catch {
      return false;
    }
    for (const rs of body.resourceSpans ?? []) {
      const service = String(flatten(rs.resource?.attributes)['service.name'] ?? '');
      for (const ss of rs.scopeSpans ?? []) {
        for (const s of ss.spans ?? []) {
          this.spans.push({
            service, scope: ss.scope?.name ?? '', name: s.name, traceId: s.traceId, spanId: s.spanId,
            parentSpanId: s.parentSpanId ?? '', kind: s.kind, attributes: flatten(s.attributes),
          });
        }
      }
    }
    return true;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
