import { context, propagation, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

/**
 * Traces across API -> queue -> worker. With no endpoint nothing is set up and every call below is
 * a no-op of the OpenTelemetry API, so tracing costs nothing when it is off (the default).
 */
let provider: NodeTracerProvider | undefined;

export function startTracing(serviceName: string, otlpEndpoint: string | undefined): boolean {
  if (!otlpEndpoint || provider) return Boolean(provider);
  const url = otlpEndpoint.replace(/\/$/, '').endsWith('/v1/traces') ? otlpEndpoint : `${otlpEndpoint.replace(/\/$/, '')}/v1/traces`;
  provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url }), { scheduledDelayMillis: 500 })],
  });
  provider.register({ propagator: new W3CTraceContextPropagator() });
  return true;
}

export async function stopTracing(): Promise<void> {
  await provider?.shutdown().catch(() => undefined);
  provider = undefined;
}

const tracer = () => trace.getTracer('meridian');

/** Runs `work` in a span (ended, and marked failed on a throw). */
export async function inSpan<T>(name: string, attributes: Record<string, string | number>, work: (span: Span) => Promise<T>, kind = SpanKind.INTERNAL): Promise<T> {
  return tracer().startActiveSpan(name, { kind, attributes }, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** The current trace context as W3C headers, to carry inside a queued job's data. */
export function currentTraceCarrier(): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

/** Runs `work` in a span that continues the trace a producer put in the job's data. */
export function continueTrace<T>(carrier: Record<string, string> | undefined, name: string, attributes: Record<string, string | number>, work: () => Promise<T>): Promise<T> {
  const parent = propagation.extract(context.active(), carrier ?? {});
  return context.with(parent, () => inSpan(name, attributes, work, SpanKind.CONSUMER));
}

export { SpanKind };

interface HttpRequestLike {
  method?: string;
  baseUrl?: string;
  route?: { path?: string };
  headers: Record<string, string | string[] | undefined>;
}
interface HttpResponseLike {
  statusCode: number;
  on(event: 'finish', listener: () => void): unknown;
}

/** Express middleware: one server span per request, continuing a caller's traceparent, named by route template. */
export function httpTracingMiddleware(request: HttpRequestLike, response: HttpResponseLike, next: () => void): void {
  if (!provider) return next();
  const parent = propagation.extract(context.active(), request.headers);
  const span = tracer().startSpan(`HTTP ${request.method ?? 'GET'}`, { kind: SpanKind.SERVER }, parent);
  response.on('finish', () => {
    const route = request.route?.path ? `${request.baseUrl ?? ''}${request.route.path}` : 'unmatched';
    span.updateName(`${request.method} ${route}`);
    span.setAttribute('http.route', route);
    span.setAttribute('http.response.status_code', response.statusCode);
    if (response.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
  context.with(trace.setSpan(parent, span), next);
}
